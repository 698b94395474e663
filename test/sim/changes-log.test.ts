import { expect } from 'chai';
import { ChangesLog } from '../../sim/world/changes-log.js';
import { Rng } from '../../sim/prng.js';

/** What `since` must answer, computed the slow way from every change recorded. */
function expectedPage(changes: number[], since: number, limit: number) {
  const latest = new Map<number, number>();
  changes.forEach((ref, i) => latest.set(ref, i + 1));
  const after = changes
    .map((ref, i) => ({ seq: i + 1, ref }))
    .filter(({ seq, ref }) => seq > since && latest.get(ref) === seq);
  const rows = after.slice(0, limit);
  const full = rows.length === limit;
  return {
    rows,
    lastSeq: full ? (rows[rows.length - 1] as { seq: number }).seq : changes.length,
    pending: full ? after.length - limit : 0,
  };
}

describe('sim changes log', () => {
  it('pages through the latest change of each document with the right pending count, as the log grows', () => {
    const log = new ChangesLog('epoch');
    const random = new Rng(5);
    const changes: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const ref = random.chance(0.05) ? -1 - random.int(0, 20) : random.int(0, 1500);
      expect(log.record(ref)).to.equal(changes.push(ref));
      if (i % 613 === 0 || i === 4999) {
        for (const [since, limit] of [
          [0, 100],
          [Math.floor(i / 2), 37],
          [i, 10],
          [0, 100000],
        ] as const)
          expect(log.since(since, limit), `after ${i + 1} changes, since ${since}`).to.deep.equal(
            expectedPage(changes, since, limit),
          );
      }
    }
    let since = 0;
    let seen = 0;
    for (;;) {
      const page = log.since(since, 250);
      seen += page.rows.length;
      if (page.pending === 0) break;
      since = page.lastSeq;
    }
    expect(seen).to.equal(new Set(changes).size);
  });
});
