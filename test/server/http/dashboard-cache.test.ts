/** The dashboards' snapshot cache, the day series behind it and the CSV writer, without servers. */
import { expect } from 'chai';
import { toCsv } from '../../../server/http/csv.js';
import {
  answerTime,
  DashboardAnswerCache,
} from '../../../server/read-model/dashboard-answer-cache.js';
import { DashboardCache } from '../../../server/http/dashboard-cache.js';
import type { DashboardSnapshot } from '../../../server/read-model/dashboard-snapshot.js';
import { dayNumber, DaySeries } from '../../../server/read-model/day-series.js';
import { HttpError } from '../../../server/http/http-errors.js';
import { createLogger } from '../../../lib/logger.js';

function snapshotAt(indexVersion: number): DashboardSnapshot {
  return { indexVersion } as DashboardSnapshot;
}

/** A build that finishes when the test says so. */
function controlledBuilds() {
  const pending: Array<{ version: number; resolve: () => void; reject: (err: Error) => void }> = [];
  let version = 1;
  return {
    setVersion: (v: number) => (version = v),
    version: () => version,
    started: () => pending.length,
    build: () =>
      new Promise<DashboardSnapshot>((resolve, reject) => {
        const at = version;
        pending.push({ version: at, resolve: () => resolve(snapshotAt(at)), reject });
      }),
    finish: (i: number) => pending[i]?.resolve(),
    fail: (i: number) => pending[i]?.reject(new Error('CouchDB went away')),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('dashboards: snapshot cache', () => {
  const logger = createLogger({ level: 'silent' });

  it('builds once for concurrent requests, then answers from the snapshot until the version moves', async () => {
    const builds = controlledBuilds();
    let clock = 0;
    const cache = new DashboardCache({
      ...builds,
      logger,
      maxStaleMs: 1000,
      maxWaitMs: 5000,
      now: () => clock,
    });
    const first = [cache.snapshot(), cache.snapshot(), cache.snapshot()];
    await tick();
    expect(builds.started()).to.equal(1);
    builds.finish(0);
    for (const answer of await Promise.all(first)) expect(answer.indexVersion).to.equal(1);
    await cache.snapshot();
    expect(builds.started()).to.equal(1);

    // A change: the old snapshot is answered while the new one builds, within maxStaleMs.
    builds.setVersion(2);
    expect((await cache.snapshot()).indexVersion).to.equal(1);
    expect(builds.started()).to.equal(2);
    clock = 999;
    expect((await cache.snapshot()).indexVersion).to.equal(1);
    expect(builds.started()).to.equal(2);
    // Outdated for too long: requests wait for the new snapshot.
    clock = 1000;
    const waiting = cache.snapshot();
    builds.finish(1);
    expect((await waiting).indexVersion).to.equal(2);
  });

  it('with maxStaleMs 0 waits for a snapshot of the current version, building again when one ends too old', async () => {
    const builds = controlledBuilds();
    const cache = new DashboardCache({ ...builds, logger, maxStaleMs: 0, maxWaitMs: 5000 });
    const first = cache.snapshot();
    await tick();
    builds.setVersion(3); // changed while the first build ran
    const second = cache.snapshot();
    builds.finish(0);
    expect((await first).indexVersion).to.equal(1);
    await tick();
    expect(builds.started()).to.equal(2);
    builds.finish(1);
    expect((await second).indexVersion).to.equal(3);
  });

  it('answers 503 when nothing is built within maxWaitMs, and the build goes on', async () => {
    const builds = controlledBuilds();
    const cache = new DashboardCache({ ...builds, logger, maxStaleMs: 0, maxWaitMs: 20 });
    const err = await cache.snapshot().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(HttpError);
    expect((err as HttpError).statusCode).to.equal(503);
    expect((err as HttpError).headers).to.deep.equal({ 'Retry-After': '30' });
    builds.finish(0);
    expect((await cache.snapshot()).indexVersion).to.equal(1);
    expect(builds.started()).to.equal(1);
  });

  it('passes a failed build on, keeps the last snapshot, and builds again on the next request', async () => {
    const builds = controlledBuilds();
    const cache = new DashboardCache({ ...builds, logger, maxStaleMs: 0, maxWaitMs: 5000 });
    const failing = cache.snapshot();
    await tick();
    builds.fail(0);
    expect(
      await failing.then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ).to.equal('CouchDB went away');
    const retry = cache.snapshot();
    await tick();
    builds.finish(1);
    expect((await retry).indexVersion).to.equal(1);
  });
});

describe('dashboards: answers made once a minute', () => {
  it('counts an answer up to the start of its minute', () => {
    const start = Date.UTC(2026, 11, 5, 6, 30, 0);
    expect(answerTime(start)).to.equal(start / 1000);
    expect(answerTime(start + 59_999)).to.equal(start / 1000);
    expect(answerTime(start + 60_000)).to.equal(start / 1000 + 60);
  });

  it('makes an answer once per key, snapshot and minute', () => {
    const cache = new DashboardAnswerCache(1_000, (value) => String(value).length);
    const first = snapshotAt(1);
    let made = 0;
    const make = () => `answer ${++made}`;
    expect(cache.answer('/a', first, 60, make)).to.equal('answer 1');
    expect(cache.answer('/a', first, 60, make)).to.equal('answer 1');
    expect(cache.answer('/b', first, 60, make)).to.equal('answer 2');
    expect(cache.answer('/a', first, 120, make), 'next minute').to.equal('answer 3');
    expect(cache.answer('/a', snapshotAt(2), 120, make), 'new snapshot').to.equal('answer 4');
  });

  it("keeps only the newest snapshot's answers: an older one's are dropped, or made and not kept", () => {
    const cache = new DashboardAnswerCache(1_000, (value) => String(value).length);
    const [older, newer] = [snapshotAt(1), snapshotAt(2)];
    let made = 0;
    const make = () => `answer ${++made}`;
    cache.answer('/a', older, 60, make);
    cache.answer('/b', older, 60, make);
    expect(cache.bytes).to.equal(16);
    expect(cache.answer('/a', newer, 60, make)).to.equal('answer 3');
    expect(cache.bytes, "the older snapshot's /b is gone").to.equal(8);
    // A request that got the older snapshot before the newer one was built.
    expect(cache.answer('/c', older, 60, make)).to.equal('answer 4');
    expect(cache.answer('/c', older, 60, make)).to.equal('answer 5');
    expect(cache.bytes).to.equal(8);
    expect(cache.answer('/a', newer, 60, make), 'the newer answer stays').to.equal('answer 3');
  });
});

describe('dashboards: day series', () => {
  const jan = (day: number) => dayNumber(2025, 1, day);
  const series = DaySeries.fromMap(
    new Map([
      [jan(3), 100],
      [jan(31), 50],
      [dayNumber(2025, 2, 1), 0],
      [dayNumber(2025, 2, 2), -30],
      [dayNumber(2025, 3, 10), 7],
    ]),
  );

  it('sums windows, keeps the running total and skips days without change', () => {
    expect(series.total).to.equal(127);
    expect(series.lastDay).to.equal(dayNumber(2025, 3, 10));
    expect(series.firstDay).to.equal(jan(3));
    expect(series.sumBetween(jan(1), jan(31))).to.equal(150);
    expect(series.sumBetween(jan(4), dayNumber(2025, 2, 28))).to.equal(20);
    expect(series.totalThrough(jan(2))).to.equal(0);
    expect(series.totalThrough(dayNumber(2025, 2, 2))).to.equal(120);
    expect(DaySeries.EMPTY.total).to.equal(0);
  });

  it('buckets by day and by month, a window starting mid-month giving a partial first month', () => {
    expect(
      series
        .buckets(jan(30), dayNumber(2025, 2, 2), 'day')
        .map((b) => [b.period, b.events, b.cumulative]),
    ).to.deep.equal([
      ['2025-01-30', 0, 100],
      ['2025-01-31', 50, 150],
      ['2025-02-01', 0, 150],
      ['2025-02-02', -30, 120],
    ]);
    expect(
      series
        .buckets(jan(15), dayNumber(2025, 3, 5), 'month')
        .map((b) => [b.period, b.events, b.cumulative]),
    ).to.deep.equal([
      ['2025-01', 50, 150],
      ['2025-02', -30, 120],
      ['2025-03', 0, 120],
    ]);
  });
});

describe('dashboards: CSV', () => {
  it('quotes what needs quoting, writes null as empty and lists with spaces, and defuses formulas', () => {
    const text = toCsv(
      ['name', 'events', 'note', 'list'],
      [
        { name: 'plain', events: -5, note: null, list: ['A', 'B'] },
        { name: 'with, comma', events: 1.5, note: 'say "hi"\nbye', list: [] },
        { name: '=HYPERLINK("x")', events: 0, note: '+1', list: ['-x'] },
      ],
    );
    expect(text).to.equal(
      'name,events,note,list\r\nplain,-5,,A B\r\n"with, comma",1.5,"say ""hi""\nbye",\r\n"\'=HYPERLINK(""x"")",0,\'+1,\'-x\r\n',
    );
  });
});
