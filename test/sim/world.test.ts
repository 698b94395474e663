/**
 * Simulated time: advancing moves workflows along their status paths, creates and
 * deletes workflows, grows and validates datasets — all visible in `_changes` and
 * `datasets?min_ldate` — and is deterministic. Plus the test mutators and memory use.
 */
import { expect } from 'chai';
import v8 from 'node:v8';
import vm from 'node:vm';
import { World } from '../../sim/world/world.js';

/** A real garbage collection, so heap measurements count live objects only. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

const DAY = 86400;

describe('sim world over time', () => {
  it('advances deterministically for the same seed and sequence of advances', () => {
    const a = new World({ seed: 5, workflows: 500, active: 60 });
    const b = new World({ seed: 5, workflows: 500, active: 60 });
    const start = a.lastSeq();
    for (const seconds of [3600, DAY, 7 * DAY])
      expect(a.advance(seconds)).to.deep.equal(b.advance(seconds));
    const decode = (w: World): number => (w.changes.decode(start) as { seq: number }).seq;
    expect(a.changesSince(decode(a)).rows).to.deep.equal(b.changesSince(decode(b)).rows);
    expect(a.lastSeq()).to.equal(b.lastSeq());
    expect(a.datasetsModifiedAfter(a.startTime).map((d) => d.name)).to.deep.equal(
      b.datasetsModifiedAfter(b.startTime).map((d) => d.name),
    );
  });

  it('shows transitions, new workflows and deletions in _changes, each document once', () => {
    const world = new World({ seed: 6, workflows: 1000, active: 200 });
    const before = new Map([...world.list()].map((s) => [s.name, s.status]));
    const since = world.changes.currentSeq;
    const summary = world.advance(30 * DAY);
    expect(summary.transitions).to.be.above(100);
    expect(summary.created).to.be.above(100);
    expect(summary.deleted).to.be.above(0);

    const { rows, pending } = world.changesSince(since);
    expect(pending).to.equal(0);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).to.equal(ids.length);
    const deleted = rows.filter((r) => r.deleted);
    expect(deleted).to.have.length(summary.deleted);
    for (const row of deleted) expect(world.lookup(row.id).state).to.equal('deleted');

    const created = rows.filter((r) => !before.has(r.id) && r.id !== '_design/ReqMgr');
    expect(created.length).to.be.at.least(summary.created - summary.deleted);
    const moved = rows.filter(
      (r) => before.has(r.id) && !r.deleted && world.describe(r.id)?.status !== before.get(r.id),
    );
    expect(moved.length).to.be.above(50);
    for (const row of moved.slice(0, 20)) {
      const doc = world.request(row.id) as Record<string, unknown>;
      expect(doc._rev).to.equal(row.rev);
      const transitions = doc.RequestTransition as Array<{ UpdateTime: number }>;
      expect(transitions[transitions.length - 1]?.UpdateTime).to.be.within(
        summary.from + 1,
        summary.to,
      );
    }
    // Nothing changes without time passing.
    const last = world.changes.currentSeq;
    world.advance(0);
    expect(world.changesSince(last).rows).to.deep.equal([]);
  });

  it('lists datasets created or re-typed after min_ldate, strictly after it', () => {
    const world = new World({ seed: 7, workflows: 1000, active: 200 });
    const t0 = world.now();
    expect(world.datasetsModifiedAfter(t0)).to.deep.equal([]);
    world.advance(10 * DAY);
    const changed = world.datasetsModifiedAfter(t0);
    expect(changed.length).to.be.above(10);
    for (const d of changed) expect(d.lastModified).to.be.within(t0 + 1, world.now());
    expect(new Set(changed.map((d) => d.accessType))).to.include.members(['PRODUCTION', 'VALID']);
    const one = changed[0];
    if (one === undefined) throw new Error('no dataset');
    expect(world.datasetsModifiedAfter(one.lastModified).map((d) => d.name)).to.not.include(
      one.name,
    );
    expect(world.datasetsModifiedAfter(one.lastModified - 1).map((d) => d.name)).to.include(
      one.name,
    );
  });

  it('grows PRODUCTION datasets file by file as time passes', () => {
    const world = new World({ seed: 8, workflows: 1000, active: 300 });
    const running = [...world.list()].filter(
      (s) => s.status === 'running-open' || s.status === 'running-closed',
    );
    const production = running
      .flatMap((s) => s.outputDatasets)
      .map((name) => world.dataset(name))
      .filter((d) => d?.accessType === 'PRODUCTION');
    expect(production.length).to.be.above(3);
    const before = new Map(production.map((d) => [d?.name as string, d?.files().length ?? 0]));
    world.advance(12 * 3600);
    let grew = 0;
    for (const [name, count] of before) {
      const now = world.dataset(name)?.files().length ?? 0;
      expect(now, name).to.be.at.least(count);
      if (now > count) grew++;
    }
    expect(grew).to.be.above(0);
  });

  it('lets tests add, replace and delete requests and edit datasets', () => {
    const world = new World({ seed: 9, workflows: 100, active: 10 });
    const since = world.changes.currentSeq;
    const rev = world.upsertRequest({
      RequestName: 'tester_Custom_250101_000000_1',
      RequestType: 'ReReco',
      RequestStatus: 'running-open',
      PrepID: 'ReReco-Custom-00001',
    });
    expect(rev).to.match(/^1-[0-9a-f]{32}$/);
    expect(world.request('tester_Custom_250101_000000_1')).to.include({
      _rev: rev,
      PrepID: 'ReReco-Custom-00001',
    });
    expect(world.findRequests({ prepIds: ['ReReco-Custom-00001'] })).to.have.length(1);
    expect(world.activeRequests().map((r) => r.name)).to.include('tester_Custom_250101_000000_1');

    const generated = [...world.list()][0]?.name as string;
    const replaced = world.upsertRequest({
      ...(world.request(generated) as Record<string, unknown>),
      RequestPriority: 1,
    });
    expect(world.request(generated)).to.include({ RequestPriority: 1, _rev: replaced });
    expect(world.deleteRequest(generated)).to.equal(true);
    expect(world.deleteRequest(generated)).to.equal(false);
    expect(world.lookup(generated).state).to.equal('deleted');
    const rows = world.changesSince(since).rows;
    expect(rows.map((r) => [r.id, r.deleted])).to.deep.equal([
      ['tester_Custom_250101_000000_1', false],
      [generated, true],
    ]);

    const name = '/Custom/Sim-Test-v1/AODSIM';
    world.setDataset(name, {
      accessType: 'PRODUCTION',
      files: 10,
      eventsPerFile: 100,
      invalidFiles: 2,
    });
    world.addFiles(name, { count: 5, eventsPerFile: 1000 });
    const dataset = world.dataset(name);
    expect(dataset?.files()).to.have.length(15);
    expect(dataset?.files().reduce((sum, f) => sum + f.events, 0)).to.equal(6000);
    expect(world.datasetsModifiedAfter(world.now() - 1).map((d) => d.name)).to.include(name);
    expect(() => world.setDataset('not-a-dataset', {})).to.throw(TypeError);
  });

  it('counts files added by hand as a change of the dataset record (DBS min_ldate lists it)', () => {
    const world = new World({ seed: 3, workflows: 20, active: 5 });
    const name = '/Custom/Grows-v1/AODSIM';
    world.setDataset(name, { files: 2, accessType: 'VALID' });
    const t0 = world.now();
    world.advance(3600);
    expect(world.datasetsModifiedAfter(t0).map((d) => d.name)).not.to.include(name);
    world.addFiles(name, { count: 1 });
    expect(world.dataset(name)?.lastModified).to.equal(t0 + 3600);
    expect(world.dataset(name)?.files()).to.have.length(3);
    expect(world.datasetsModifiedAfter(t0).map((d) => d.name)).to.include(name);
  });

  it('keeps memory per workflow small (scale check at 50,000 workflows)', function () {
    this.timeout(60_000);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const world = new World({ seed: 10, workflows: 50_000, active: 5_000 });
    world.advance(DAY);
    collectGarbage();
    const megabytes = (process.memoryUsage().heapUsed - before) / 1e6;
    // Typed arrays, hash indexes and names (~250 bytes a workflow) plus a fixed spec cache:
    // 200,000 workflows take about 60 MB.
    expect(megabytes).to.be.below(40);
    expect(world.activeRequests().length).to.be.within(4_000, 6_000);
  });
});
