import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runChecks } from '../../preflight/index.js';
import type { DesignDocument } from '../../couch/design.js';
import type { DatabaseNames } from '../../couch/setup.js';
import { loadConfig } from '../../lib/config.js';
import { startTestSimulator } from '../sim/support.js';
import { setUpTestDatabases, uniqueDbNames, type TestCouch } from '../support/couch.js';
import { cliEnv, messages, messageText, runCli } from './support/cli.js';
import { makePki } from './support/tls.js';

const lines = messages;
const failures = (stdout: string) => lines(stdout).filter((line) => line.startsWith('FAIL'));

describe('--action check', function () {
  let couch: TestCouch;
  let names: DatabaseNames;
  let cmsweb: Server;
  let good: Record<string, string>;
  let dir: string;
  let files: { cert: string; key: string; serverKey: string; garbage: string; caDir: string };

  before(async () => {
    ({ couch, names } = await setUpTestDatabases('check'));
    const pki = makePki();
    dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-check-'));
    files = {
      cert: path.join(dir, 'usercert.pem'),
      key: path.join(dir, 'userkey.pem'),
      serverKey: path.join(dir, 'otherkey.pem'),
      garbage: path.join(dir, 'garbage.pem'),
      caDir: path.join(dir, 'certificates'),
    };
    writeFileSync(files.cert, pki.client.cert);
    writeFileSync(files.key, pki.client.key, { mode: 0o600 });
    writeFileSync(files.serverKey, pki.server.key, { mode: 0o600 });
    writeFileSync(files.garbage, 'not a key\n', { mode: 0o600 });
    mkdirSync(files.caDir);
    writeFileSync(path.join(files.caDir, 'StatsTestCA.pem'), pki.ca.cert);
    writeFileSync(path.join(files.caDir, 'StatsTestCA.signing_policy'), 'access_id_CA X509 ...\n');

    // cmsweb stand-in: client certificates required; /forbidden refuses them as cmsweb does for unknown users.
    cmsweb = createServer(
      { ...pki.server, ca: [pki.ca.cert], requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        const forbidden = request.url?.startsWith('/forbidden/');
        const feed =
          request.url?.replace(/^\/forbidden/, '') ===
          '/couchdb/reqmgr_workload_cache/_changes?since=now&limit=0';
        response
          .writeHead(forbidden ? 403 : feed ? 200 : 404, { 'content-type': 'application/json' })
          .end(
            forbidden
              ? '{"error":"forbidden"}'
              : feed
                ? '{"results":[],"last_seq":"42-g1AAAA","pending":0}'
                : '{"error":"not_found"}',
          );
      },
    );
    await new Promise<void>((resolve) => cmsweb.listen(0, '127.0.0.1', resolve));
    const port = (cmsweb.address() as AddressInfo).port;
    good = {
      CMSWEB_URL: `https://localhost:${port}`,
      USERCRT: files.cert,
      USERKEY: files.key,
      X509_CERT_DIR: files.caDir,
    };
  });

  after(async () => {
    await new Promise<void>((resolve) => cmsweb.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on a good setup, one ok line per check', async () => {
    const result = await runCli(['--action', 'check'], cliEnv(couch, names, good));

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    const output = lines(result.stdout);
    expect(output.at(-1)).to.equal('all checks passed');
    expect(
      output.slice(0, -1).every((line) => line.startsWith('ok  ')),
      messageText(result.stdout),
    ).to.equal(true);
    for (const check of [
      'configuration',
      'CouchDB reachable',
      'admin credentials',
      `database ${names.requests}`,
      `design documents of ${names.settings}`,
      `security of ${names.requests}`,
      'website read access',
      'client certificate',
      'client key',
      'CA certificates',
      'upstream reachable',
    ]) {
      expect(messageText(result.stdout)).to.include(`ok   ${check}: `);
    }
    expect(messageText(result.stdout)).to.include('1 CA certificate in');
  });

  it('passes against the simulator: the same request reaches cmsweb and the simulator', async () => {
    const sim = await startTestSimulator({ workflows: 20, active: 2 });
    try {
      const result = await runCli(['check'], cliEnv(couch, names, sim.env));
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(messageText(result.stdout)).to.match(
        /ok {3}upstream reachable: https:\/\/\S+\/couchdb\/reqmgr_workload_cache\/_changes\?since=now&limit=0 answered 200/,
      );
      expect(messageText(result.stdout)).not.to.include('clock:');
      expect(messages(result.stdout).at(-1)).to.equal('all checks passed');
    } finally {
      await sim.close();
    }
  });

  it("checks STATS_CLOCK_URL when set: the demo's clock answers its time, a stopped one fails with what to do", async () => {
    const sim = await startTestSimulator({ workflows: 20, active: 2 });
    try {
      const env = { ...sim.env, STATS_CLOCK_URL: sim.urls.clock };
      const running = await runCli(['check'], cliEnv(couch, names, env));
      expect(running.code, running.stdout + running.stderr).to.equal(0);
      const simulatedDay = new Date(sim.clock.now()).toISOString().slice(0, 10);
      expect(messageText(running.stdout)).to.match(
        new RegExp(
          `ok {3}clock: STATS_CLOCK_URL answers ${simulatedDay}T[0-9:.]+Z \\(\\d+ days behind the system clock\\)`,
        ),
      );
    } finally {
      await sim.close();
    }
    const stopped = await runCli(
      ['check'],
      cliEnv(couch, names, { ...sim.env, STATS_CLOCK_URL: sim.urls.clock }),
    );
    expect(stopped.code).to.equal(1);
    const clockLine = failures(stopped.stdout).find((line) => line.startsWith('FAIL clock: '));
    expect(clockLine, stopped.stdout).to.match(
      /^FAIL clock: STATS_CLOCK_URL=https:\/\/\S+\/simulator\/clock cannot be read \(.+\); .+ — start the demo again \(it rewrites sim.env\), or unset STATS_CLOCK_URL/,
    );
  });

  it('reports wrong credentials, and still checks the databases as a reader', async () => {
    const env = cliEnv(couch, names, {
      ...good,
      STATS_DB_AUTH_HEADER: `Basic ${Buffer.from('admin:wrong').toString('base64')}`,
    });
    const result = await runCli(['--action', 'check'], env);

    expect(result.code).to.equal(1);
    expect(failures(result.stdout)).to.deep.equal([
      "FAIL admin credentials: CouchDB rejected the user or password (401) — put an admin's user and password in COUCHDB_URL (http://user:password@host:5984), or set STATS_DB_AUTH_HEADER",
    ]);
    expect(messageText(result.stdout)).to.include(`ok   design documents of ${names.requests}`);
    expect(lines(result.stdout).at(-1)).to.equal('1 check FAILED');
  });

  it('reports a missing database with the command that creates it', async () => {
    const missing = uniqueDbNames('checkmissing').requests;
    const result = await runCli(
      ['--action', 'check'],
      cliEnv(couch, { ...names, requests: missing }, good),
    );

    expect(result.code).to.equal(1);
    expect(failures(result.stdout)).to.deep.equal([
      `FAIL database ${missing}: does not exist — run "node cli.js --action setup" to create it`,
    ]);
  });

  it('reports design documents that differ from this version, were edited, or are missing', async () => {
    const { names: other } = await setUpTestDatabases('checkddoc');
    const requests = couch.server.use<DesignDocument>(other.requests);
    const ddoc = await requests.get('_design/_designDoc');
    await requests.insert({
      ...ddoc,
      deploy: { hash: '0123456789abcdef', version: '_designDoc-0123456789abcdef' },
    });
    const validate = await requests.get('_design/validate_write');
    await requests.insert({ ...validate, validate_doc_update: 'function (newDoc) {}' });
    const settings = couch.server.use<DesignDocument>(other.settings);
    const settingsValidate = await settings.get('_design/validate_write');
    await settings.destroy(settingsValidate._id, settingsValidate._rev as string);

    const result = await runCli(['--action', 'check'], cliEnv(couch, other, good));

    expect(result.code).to.equal(1);
    const [requestsLine, settingsLine] = failures(result.stdout);
    expect(requestsLine).to.match(
      new RegExp(
        `^FAIL design documents of ${other.requests}: _design/_designDoc differs from this version's \\(stored 0123456789abcdef, this version [0-9a-f]{16}\\); _design/validate_write was edited after it was deployed — run "node cli.js --action setup"`,
      ),
    );
    expect(settingsLine).to.equal(
      `FAIL design documents of ${other.settings}: _design/validate_write is missing — run "node cli.js --action setup" (it builds a changed design document under a staging name first, so readers never wait)`,
    );
  });

  it('warns of staging and retired copies a deploy left, which setup removes', async () => {
    const { names: other } = await setUpTestDatabases('checkcopies');
    const requests = couch.server.use(other.requests);
    const views = { leftover: { map: 'function (doc) { emit(doc._id, null); }' } };
    for (const id of ['_design/:retired:_designDoc', '_design/:staged:dashboards'])
      await requests.insert({ _id: id, language: 'javascript', views } as never);
    const env = cliEnv(couch, other, good);

    const result = await runCli(['--action', 'check'], env);

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.include(
      `warn design documents of ${other.requests}: _design/_designDoc, _design/dashboards, _design/validate_write match this version; ` +
        '_design/:retired:_designDoc, _design/:staged:dashboards left by a deploy, running now or interrupted — ' +
        'unless a setup is running, run "node cli.js --action setup" again to remove them',
    );

    expect((await runCli(['--action', 'setup'], env)).code).to.equal(0);
    const again = await runCli(['--action', 'check'], env);
    expect(messageText(again.stdout)).to.include(
      `ok   design documents of ${other.requests}: _design/_designDoc, _design/dashboards, _design/validate_write match this version`,
    );
    expect(messageText(again.stdout)).not.to.include('left by a deploy');
  });

  it('reports admin-only databases the website cannot read', async () => {
    const { names: other } = await setUpTestDatabases('checksecurity');
    const adminOnly = {
      admins: { names: [], roles: [] },
      members: { names: [], roles: ['_admin'] },
    };
    await couch.server.request({
      db: other.requests,
      method: 'put',
      path: '_security',
      body: adminOnly,
    });

    const result = await runCli(['--action', 'check'], cliEnv(couch, other, good));

    expect(result.code).to.equal(1);
    const [securityLine, readerLine, ...others] = failures(result.stdout);
    expect(securityLine).to.equal(
      `FAIL security of ${other.requests}: admin-only (members: role _admin): anonymous readers and the website get 401 — run "node cli.js --action setup" to open it for reading`,
    );
    expect(readerLine).to.match(
      new RegExp(
        `^FAIL website read access: the website's reader cannot read ${other.requests}: HTTP 401 unauthorized`,
      ),
    );
    expect(readerLine).to.include(
      '— run "node cli.js --action setup" for public read, or set COUCHDB_READER_URL to a reader account',
    );
    expect(others).to.deep.equal([]);
  });

  it('reports unreadable, malformed and mismatched certificate files', async () => {
    const missingCert = await runCli(
      ['--action', 'check'],
      cliEnv(couch, names, {
        ...good,
        USERCRT: '/nonexistent/usercert.pem',
        USERKEY: files.garbage,
      }),
    );
    expect(missingCert.code).to.equal(1);
    expect(failures(missingCert.stdout)).to.deep.equal([
      'FAIL client certificate: /nonexistent/usercert.pem cannot be read (ENOENT) — check the path',
      `FAIL client key: ${files.garbage} holds no PEM private key — point USERKEY at the private key in PEM form (-----BEGIN PRIVATE KEY-----)`,
      `FAIL upstream reachable: ${good.CMSWEB_URL}/couchdb/reqmgr_workload_cache/_changes?since=now&limit=0 not tried: the client certificate, key or CA folder is not usable (see the certificate checks) — fix those first`,
    ]);

    const mismatched = await runCli(
      ['--action', 'check'],
      cliEnv(couch, names, { ...good, USERKEY: files.serverKey }),
    );
    expect(failures(mismatched.stdout)[0]).to.equal(
      `FAIL client key: ${files.serverKey} does not belong to the client certificate — point USERKEY at the key of the certificate in USERCRT`,
    );
  });

  it('runs one group at a time for the website, and reports an untrusted or refusing upstream', async () => {
    chmodSync(files.key, 0o640);
    try {
      const config = loadConfig({ ...good, X509_CERT_DIR: '' });
      const [, cert, key, ca, upstream] = await runChecks(config, ['certificates', 'upstream']);
      expect(cert?.status).to.equal('ok');
      expect(key).to.include({
        status: 'warn',
        message: `${files.key} is readable by other users (mode 640)`,
      });
      expect(ca?.message).to.include('X509_CERT_DIR not set');
      expect(upstream?.status).to.equal('fail');
      expect(upstream?.message).to.equal(
        `${good.CMSWEB_URL}/couchdb/reqmgr_workload_cache/_changes?since=now&limit=0: the server's certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)`,
      );
      expect(upstream?.fix).to.include('set X509_CERT_DIR');
    } finally {
      chmodSync(files.key, 0o600);
    }

    const refused = await runChecks(
      loadConfig({ ...good, CMSWEB_URL: `${good.CMSWEB_URL}/forbidden` }),
      ['upstream'],
    );
    expect(refused.at(-1)).to.include({
      status: 'fail',
      message: `${good.CMSWEB_URL}/forbidden/couchdb/reqmgr_workload_cache/_changes?since=now&limit=0 refused the client certificate (HTTP 403)`,
    });

    const website = await runChecks(loadConfig({}), ['couch'], {
      couch: { admin: couch.admin, reader: { url: couch.admin.url } },
    });
    expect(website.map((result) => result.name)).not.to.include('admin credentials');
  });
});
