import { expect } from 'chai';
import { hostname } from 'node:os';
import { acquireRunLock, LOCK_ID, RunLockedError } from '../../couch/run-lock.js';
import { setUpTestDatabases, type TestCouch } from '../support/couch.js';
import type { DatabaseNames } from '../../couch/setup.js';

describe('update run lock', () => {
  let couch: TestCouch;
  let names: DatabaseNames;

  before(async () => {
    ({ couch, names } = await setUpTestDatabases('runlock'));
  });

  it('lets one run in and tells a second one who holds it', async () => {
    const first = await acquireRunLock(couch.server, names.settings);
    const second = await acquireRunLock(couch.server, names.settings).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(second).to.be.instanceOf(RunLockedError);
    expect((second as Error).message).to.match(
      /another update run holds the lock \(pid \d+ on .+\).*Try again later/,
    );
    await first.release();
    const third = await acquireRunLock(couch.server, names.settings);
    await third.release();
  });

  it('only one of many simultaneous runs gets it', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, () => acquireRunLock(couch.server, names.settings)),
    );
    const won = attempts.filter(
      (a): a is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireRunLock>>> =>
        a.status === 'fulfilled',
    );
    expect(won).to.have.length(1);
    expect(
      attempts
        .filter((a) => a.status === 'rejected')
        .every((a) => (a as PromiseRejectedResult).reason instanceof RunLockedError),
    ).to.equal(true);
    await won[0]?.value.release();
  });

  it('expires when its holder died, and only one taker wins the expired lock', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    await acquireRunLock(couch.server, names.settings, {
      ttlMs: 60_000,
      now,
      renewEveryMs: 3_600_000,
    }); // never released: "killed"
    const blocked = await acquireRunLock(couch.server, names.settings, { now }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(blocked).to.be.instanceOf(RunLockedError);
    clock += 61_000;
    const takers = await Promise.allSettled(
      [1, 2, 3].map(() => acquireRunLock(couch.server, names.settings, { now })),
    );
    const won = takers.filter((t) => t.status === 'fulfilled');
    expect(won).to.have.length(1);
    await (
      won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireRunLock>>>
    ).value.release();
    const doc = await couch.server
      .use(names.settings)
      .get(LOCK_ID)
      .then(
        () => true,
        () => false,
      );
    expect(doc).to.equal(false);
  });

  it('renews itself while the run goes on', async () => {
    const lock = await acquireRunLock(couch.server, names.settings, {
      ttlMs: 2000,
      renewEveryMs: 200,
    });
    const before = (await couch.server.use<{ expires: number }>(names.settings).get(LOCK_ID))
      .expires;
    await new Promise((resolve) => setTimeout(resolve, 700));
    const after = (await couch.server.use<{ expires: number }>(names.settings).get(LOCK_ID))
      .expires;
    expect(after).to.be.greaterThan(before);
    await lock.release();
  });

  it('takes over at once a lock that an ended run of this process could not release', async () => {
    const settings = couch.server.use<Record<string, unknown>>(names.settings);
    const left = {
      _id: LOCK_ID,
      owner: `${hostname()}:${process.pid}:1`,
      host: hostname(),
      pid: process.pid,
      acquired: new Date().toISOString(),
      expires: Date.now() + 600_000,
    };
    await settings.insert(left);
    const lock = await acquireRunLock(couch.server, names.settings);
    expect((await settings.get(LOCK_ID)).owner).to.equal(lock.owner);
    await lock.release();

    // Another process's lock, or one a run here still holds, is respected.
    await settings.insert({ ...left, pid: process.pid + 1 });
    const other = await acquireRunLock(couch.server, names.settings).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(other).to.be.instanceOf(RunLockedError);
    await settings.destroy(LOCK_ID, (await settings.get(LOCK_ID))._rev as string);
    const held = await acquireRunLock(couch.server, names.settings);
    const again = await acquireRunLock(couch.server, names.settings).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(again).to.be.instanceOf(RunLockedError);
    await held.release();
  });
});
