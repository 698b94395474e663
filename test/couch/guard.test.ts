/**
 * Requests that write, reconfigure or used to crash pouchdb-server, sent anonymously,
 * with a wrong password and as the admin: nothing is written but by the admin, and the
 * server answers after each. On Apache CouchDB (COUCHDB_URL) the same anonymous matrix,
 * which CouchDB's own checks must already hold.
 */
import { expect } from 'chai';
import { authorize, digestOfCredentials, ReadableDatabases } from '../../couch/embedded-guard.js';
import { testCouch, uniqueDbNames, type TestCouch } from '../support/couch.js';
import {
  allowedReads,
  answers,
  changes,
  HOSTILE_REQUESTS,
  IDENTITIES,
  resetFixtures,
  runSteps,
  send,
  snapshot,
  type MatrixTarget,
} from '../support/hostile-couch.js';

describe('who may do what on CouchDB (the embedded server guard)', function () {
  this.timeout(120_000);
  let couch: TestCouch;
  let target: MatrixTarget;

  before(async () => {
    couch = await testCouch();
    target = {
      url: couch.admin.url,
      adminHeader: couch.admin.authHeader as string,
      names: uniqueDbNames('guard'),
      newDb: uniqueDbNames('guardnew').requests,
      // Apache CouchDB locks a user out after a few wrong passwords: not its admin, then.
      ...(couch.embedded
        ? {}
        : { wrongUser: () => `intruder${Math.random().toString(36).slice(2)}` }),
    };
  });

  it('lets anonymous visitors read the two databases, and nothing with a wrong password', async () => {
    await resetFixtures(target);
    for (const step of allowedReads(target)) {
      if (step.path === '/_up' && couch.embedded === false) continue; // CouchDB answers it too, but needs no proof here
      const anonymous = await send(target, step, 'anonymous');
      expect(anonymous.status, `${step.method} ${step.path}: ${anonymous.body}`).to.be.within(
        200,
        299,
      );
      const wrong = await send(target, step, 'wrong password');
      expect(wrong.status, `${step.method} ${step.path} with a wrong password`).to.equal(401);
    }
  });

  it('writes nothing for anonymous visitors or wrong passwords, and answers after every request', async () => {
    let fixture = await resetFixtures(target);
    const rows: string[] = [];
    for (const request of HOSTILE_REQUESTS) {
      for (const identity of IDENTITIES) {
        const before = await snapshot(target);
        const outcome = await runSteps(target, request, fixture, identity);
        const alive = await answers(target.url);
        const written = changes(before, await snapshot(target));
        const row = `${request.label} as ${identity}: ${outcome.statuses.join(' → ')} ${outcome.body}`;
        rows.push(row);
        expect(alive, `server answers after ${row}`).to.equal(true);
        expect(outcome.statuses, row).not.to.include('no answer');
        if (identity !== 'admin') {
          // Apache CouchDB lets any reader of a public database write its _local documents.
          const expected =
            !couch.embedded &&
            identity === 'anonymous' &&
            request.label === 'PUT /requests/_local/probe'
              ? [`${target.names.requests} _local/probe`]
              : [];
          expect(written, `written by ${row}`).to.deep.equal(expected);
          const refused = couch.embedded ? [401, 403] : [201, 400, 401, 403, 500];
          if (!request.read || identity === 'wrong password') {
            expect(outcome.statuses[0], row).to.be.oneOf(refused);
          }
        }
        if (written.length > 0 || identity === 'admin') fixture = await resetFixtures(target);
      }
    }
  });

  it('answers wrong credentials and anonymous writes as CouchDB does', async function () {
    if (!couch.embedded) this.skip();
    await resetFixtures(target);
    const answer = async (method: string, path: string, identity: 'anonymous' | 'wrong password') =>
      JSON.parse(
        (await send(target, { method, path, body: method === 'GET' ? undefined : {} }, identity))
          .body,
      ) as unknown;
    const r = target.names.requests;
    expect(await answer('GET', `/${r}`, 'wrong password')).to.deep.equal({
      error: 'unauthorized',
      reason: 'Name or password is incorrect.',
    });
    expect(await answer('PUT', `/${r}/doc`, 'anonymous')).to.deep.equal({
      error: 'forbidden',
      reason: 'Only admins can modify the database.',
    });
    expect(await answer('PUT', `/${r}/_security`, 'anonymous')).to.deep.equal({
      error: 'unauthorized',
      reason: 'You are not a db or server admin.',
    });
    expect(await answer('GET', '/_users/_all_docs', 'anonymous')).to.deep.equal({
      error: 'unauthorized',
      reason: 'You are not authorized to access this db.',
    });
    expect(await answer('POST', '/_replicate', 'anonymous')).to.deep.equal({
      error: 'unauthorized',
      reason: 'You are not a server admin.',
    });
  });
});

describe('embedded guard rules', () => {
  const rules = {
    adminDigest: digestOfCredentials('admin', 'secret'),
    readable: (db: string) => new ReadableDatabases(['requests', 't_*']).has(db),
  };
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
  const allowed = (method: string, url: string, auth?: string) =>
    authorize(method, url, auth, rules).allow;

  it('knows the admin only by the exact user and password', () => {
    expect(authorize('DELETE', '/requests', basic('admin:secret'), rules)).to.deep.equal({
      allow: true,
      admin: true,
    });
    for (const wrong of ['admin:secreT', 'admin:secret ', 'Admin:secret', 'admin', ':secret']) {
      expect(allowed('GET', '/requests', basic(wrong)), wrong).to.equal(false);
    }
    expect(allowed('GET', '/requests', 'Bearer admin:secret')).to.equal(false);
    expect(allowed('GET', '/requests', `basic   ${basic('admin:secret').slice(6)}`)).to.equal(true);
  });

  it('lets anonymous visitors read documents, views, _all_docs, _changes and database info of the served databases only', () => {
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', '/_up'],
      ['GET', '/_session'],
      ['GET', '/requests'],
      ['HEAD', '/requests/wf1'],
      ['GET', '/requests/wf%2F1?revs=true'],
      ['GET', '/requests/wf1/attachment.txt'],
      ['GET', '/requests/_all_docs?include_docs=true'],
      ['POST', '/requests/_all_docs'],
      ['GET', '/requests/_design/_designDoc'],
      ['GET', '/requests/_design/_designDoc/_view/prepids?key=%22x%22'],
      ['POST', '/requests/_design/_designDoc/_view/prepids'],
      ['GET', '/requests/_changes?since=0'],
      ['GET', '/t_guard_12ab_settings'],
    ] as const) {
      expect(allowed(method, url), `${method} ${url}`).to.equal(true);
    }
    for (const [method, url] of [
      ['GET', '/_all_dbs'],
      ['GET', '/_config'],
      ['GET', '/_users/org.couchdb.user:admin'],
      ['GET', '/other'],
      ['GET', '/other/doc'],
      ['GET', '/requests/_local/x'],
      ['GET', '/requests/_security'],
      ['GET', '/requests/_design/d/_show/f/x'],
      ['GET', '/requests/_design/d/_list/f/v'],
      ['GET', '/requests/_design/d/_rewrite/x'],
      ['GET', '/requests/_design/d/attachment'],
      ['GET', '//requests'],
      ['GET', '/requests/'],
      ['GET', '/requests%2F_all_docs'],
      ['GET', '/%E0%A4%A'],
      ['GET', 'http://127.0.0.1/requests'],
      ['POST', '/requests/_changes'],
      ['POST', '/requests/_find'],
      ['POST', '/requests/_bulk_get'],
      ['POST', '/_session'],
      ['OPTIONS', '/requests'],
      ['COPY', '/requests/wf1'],
    ] as const) {
      expect(allowed(method, url), `${method} ${url}`).to.equal(false);
    }
  });
});
