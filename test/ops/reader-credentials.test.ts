/**
 * The website (main.js) reads CouchDB without credentials even when it holds the admin's
 * for `POST api/update` (STATS_UPDATE_TOKEN set): a recording proxy in front of CouchDB
 * sees no `Authorization` on any request its pages cause, and sees the admin's on the
 * update's (so it would notice credentials on the others).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowRepository } from '../../couch/workflows.js';
import type { Simulator } from '../../sim/index.js';
import { fixtureWorkflows, RERECO, TASKCHAIN } from '../server/fixtures.js';
import { startTestSimulator } from '../sim/support.js';
import { setUpTestDatabases } from '../support/couch.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../main.js');
const TOKEN = 'reader-test-update-token-5c1e9a';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Seen {
  request: string;
  credentials: boolean;
}

/** Forwards every request to `target` as it came, and notes whether it carried credentials. */
async function recordingProxy(
  target: string,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    seen.push({
      request: `${req.method} ${req.url}`,
      credentials: req.headers.authorization !== undefined || req.headers.cookie !== undefined,
    });
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("the website's reader connection", function () {
  this.timeout(180_000);
  let sim: Simulator;

  before(async () => {
    sim = await startTestSimulator({ seed: 16, workflows: 5, active: 2 });
  });
  after(() => sim.close());

  it('carries no credentials on any read its pages cause, with the admin credentials for api/update at hand', async () => {
    const { couch, names } = await setUpTestDatabases('reader');
    await new WorkflowRepository(couch.server, names.requests).writeMany(fixtureWorkflows());
    const proxy = await recordingProxy(couch.admin.url);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) {
      if (/^(COUCHDB_|DB_URL|STATS_|REQUESTS_DB|SETTINGS_DB)/.test(name)) delete env[name];
    }
    const site = spawn(process.execPath, [MAIN, '--port', '0'], {
      env: {
        ...env,
        ...sim.env,
        COUCHDB_URL: proxy.url,
        STATS_DB_AUTH_HEADER: couch.admin.authHeader as string,
        REQUESTS_DB: names.requests,
        SETTINGS_DB: names.settings,
        STATS_UPDATE_TOKEN: TOKEN,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    site.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    site.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    try {
      let address: RegExpExecArray | null = null;
      const deadline = Date.now() + 120_000;
      while (!(address = /Stats2 website at (http:\/\/[^\s"]+)/.exec(output))) {
        if (site.exitCode !== null || Date.now() > deadline) throw new Error(`main.js:\n${output}`);
        await sleep(100);
      }
      const origin = new URL(address[1] as string).origin;
      const get = async (route: string) => {
        const response = await fetch(`${origin}${route}`, { signal: AbortSignal.timeout(60_000) });
        await response.arrayBuffer();
        return response.status;
      };
      // What the website does at start (its checks of CouchDB, as the admin) is left out:
      // from when the pages are served, every read is the reader's.
      while ((await get('/healthz')) !== 200) {
        if (Date.now() > deadline) {
          const health = await (await fetch(`${origin}/healthz`)).text();
          throw new Error(`main.js never became healthy: ${health}\n${output}`);
        }
        await sleep(200);
      }
      const pagesFrom = proxy.seen.length;
      for (const route of [
        '/stats/',
        `/stats/?workflow_name=${TASKCHAIN}`,
        `/stats/?prepid=task_HIG-RunIII2024Summer24wmLHEGS-00123`,
        `/stats/search?q=${RERECO}`,
        `/stats/api/fetch?workflow_name=${RERECO}`,
        `/stats/api/fetch?campaign=Run3Summer22EEGS`,
        '/healthz',
      ]) {
        expect(await get(route), route).to.be.below(500);
      }
      await sleep(1500); // the index's polls of _changes too
      const pageReads = proxy.seen.slice(pagesFrom);
      expect(pageReads, 'reads caused by the pages').not.to.deep.equal([]);
      expect(pageReads.filter((read) => read.credentials)).to.deep.equal([]);

      const updateFrom = proxy.seen.length;
      const update = await fetch(`${origin}/stats/api/update?workflow_name=${TASKCHAIN}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      await update.arrayBuffer();
      expect(
        proxy.seen.slice(updateFrom).filter((read) => read.credentials),
        `the update (HTTP ${update.status}) writes as the admin`,
      ).not.to.deep.equal([]);
    } finally {
      site.kill('SIGTERM');
      await new Promise((resolve) => site.once('exit', resolve));
      await proxy.close();
    }
  });
});
