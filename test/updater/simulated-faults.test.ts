/**
 * Issue 11 end to end: the update run over real mutual TLS against the simulator, with
 * faults restricted to one dataset or spread over ReqMgr2, SSO and McM, each run beside a
 * twin database the same world fills without faults. After the faults clear, the faulted
 * database must equal the twin's (but for history points a failed run could not take).
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { SettingsRepository } from '../../couch/settings.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { loadConfig } from '../../lib/config.js';
import type { FaultSpec, Simulator } from '../../sim/index.js';
import { addReadersOfOneInput, SHARED_INPUT } from '../../sim/world/shared-input.js';
import { runSucceeded, runUpdate, type RunSummary } from '../../updater/run.js';
import { createCallbackNotifier, createUpdaterUpstream } from '../../updater/upstream/index.js';
import type { CallbackTarget } from '../../updater/upstream-port.js';
import { setUpTestDatabases } from '../support/couch.js';
import { startTestSimulator } from '../sim/support.js';

const silent = pino({ level: 'silent' });
/** Fixed, so that two simulators of one seed are the same world. */
const START = Date.UTC(2026, 5, 1) / 1000;
const RETRY_DELAYS = { baseMs: 5, maxMs: 20 };

interface Store {
  workflows: WorkflowRepository;
  settings: SettingsRepository;
}

interface RunOptions {
  triggers?: CallbackTarget[];
  retries?: number;
  /** Unix seconds; default the simulated world's clock. */
  now?: () => number;
}

interface Outcome {
  summary: RunSummary;
  /** Requests per simulator endpoint during the run. */
  calls: Record<string, number>;
}

async function newStore(label: string): Promise<Store> {
  const { couch, names } = await setUpTestDatabases(label);
  return {
    workflows: new WorkflowRepository(couch.server, names.requests),
    settings: new SettingsRepository(couch.server, names.settings),
  };
}

async function run(sim: Simulator, store: Store, options: RunOptions = {}): Promise<Outcome> {
  const config = loadConfig({ ...sim.env, UPSTREAM_RETRIES: String(options.retries ?? 1) });
  const upstream = createUpdaterUpstream(config.upstream, silent, { retryDelays: RETRY_DELAYS });
  const triggers = options.triggers ?? [];
  const notifier =
    triggers.length > 0
      ? createCallbackNotifier(config, silent, { retryDelays: RETRY_DELAYS })
      : undefined;
  const before = { ...sim.counts };
  try {
    const summary = await runUpdate(
      { ...store, upstream, notifier, logger: silent },
      { now: options.now ?? (() => sim.world.now()), triggers, batchSize: 100 },
    );
    const calls: Record<string, number> = {};
    for (const [endpoint, count] of Object.entries(sim.counts))
      if (count > (before[endpoint] ?? 0)) calls[endpoint] = count - (before[endpoint] ?? 0);
    return { summary, calls };
  } finally {
    await upstream.close();
    await notifier?.close();
  }
}

async function storedDocs(store: Store): Promise<Map<string, StoredWorkflow>> {
  const docs = new Map<string, StoredWorkflow>();
  for await (const page of store.workflows.scan(500))
    for (const doc of page) docs.set(doc._id, withoutRev(doc));
  return docs;
}

function withoutRev(doc: StoredWorkflow): StoredWorkflow {
  const { _rev: _r, ...rest } = doc;
  return rest as StoredWorkflow;
}

async function storedLists(store: Store): Promise<Record<string, unknown>> {
  const settings = await store.settings.get();
  return {
    failed: settings.failed_workflows,
    pending: settings.pending_callbacks ?? [],
    failedCallbacks: settings.failed_callbacks ?? {},
  };
}

/** An output dataset DBS holds as PRODUCTION that no other workflow lists, and its workflow. */
function soleOutputInProduction(sim: Simulator): { dataset: string; owner: string } {
  const listedBy = new Map<string, string[]>();
  for (const workflow of sim.world.list())
    for (const dataset of workflow.outputDatasets)
      listedBy.set(dataset, [...(listedBy.get(dataset) ?? []), workflow.name]);
  for (const [dataset, owners] of [...listedBy].sort()) {
    if (owners.length === 1 && sim.world.dataset(dataset)?.accessType === 'PRODUCTION')
      return { dataset, owner: owners[0] as string };
  }
  throw new Error('no output dataset in PRODUCTION listed by one workflow only');
}

describe('the update run against the simulator, with faults (issue 11)', function () {
  this.timeout(300_000);

  describe('one bad output dataset among 200 workflows in batches of 100', () => {
    const SEED = 11;
    const start = () =>
      startTestSimulator({ seed: SEED, workflows: 200, active: 200, startTime: START });
    let twin: { first: Outcome; second: Outcome; docs: Map<string, StoredWorkflow> };
    let repeat: { first: Outcome; second: Outcome };
    let bad: { dataset: string; owner: string };

    /**
     * Run 1, six simulated hours in which the bad dataset grows, run 2: on a fresh
     * simulator of the same world.
     */
    async function twoRuns(
      label: string,
      faults?: FaultSpec,
    ): Promise<{ first: Outcome; second: Outcome; store: Store }> {
      const sim = await start();
      try {
        const store = await newStore(label);
        if (faults) sim.faults.set('datasetlist', faults);
        // No retries in the faulted run: the calls counted are those of the narrowing.
        const first = await run(sim, store, { retries: faults ? 0 : 1 });
        sim.faults.clear();
        sim.world.advance(6 * 3600);
        sim.world.addFiles(bad.dataset, { count: 2 });
        const second = await run(sim, store);
        return { first, second, store };
      } finally {
        await sim.close();
      }
    }

    before(async () => {
      const sim = await start();
      bad = soleOutputInProduction(sim);
      await sim.close();
      const clean = await twoRuns('badtwin');
      twin = { ...clean, docs: await storedDocs(clean.store) };
      repeat = await twoRuns('badrepeat');
      // The scenario needs the bad dataset to grow between the runs: two points in the twin.
      expect(twin.docs.get(bad.owner)?.EventNumberHistory).to.have.length(2);
    });

    it('makes the same calls in two identical runs (batches from sorted names)', () => {
      expect(repeat.first.calls).to.deep.equal(twin.first.calls);
      expect(repeat.second.calls).to.deep.equal(twin.second.calls);
      expect(twin.first.summary.failed).to.deep.equal([]);
    });

    for (const kind of ['dbsListError', 'htmlError', 'status5xx'] as const) {
      it(`${kind} on every datasetlist naming it: exactly its workflow fails, and misses one point`, async () => {
        const faulted = await twoRuns(`bad${kind}`, { dataset: bad.dataset, [kind]: 1 });
        expect(faulted.first.summary.failed).to.deep.equal([bad.owner]);
        expect(faulted.first.summary.changed).to.equal(twin.first.summary.changed);
        expect(faulted.first.summary.historyEntriesAdded).to.equal(
          twin.first.summary.historyEntriesAdded - 1,
        );
        const extraCalls =
          (faulted.first.calls.datasetlist ?? 0) - (twin.first.calls.datasetlist ?? 0);
        expect(extraCalls).to.be.above(0);
        expect(extraCalls).to.be.at.most(2 * Math.log2(100) + 1);

        // Recovered by the next run once the fault is gone.
        expect(faulted.second.summary.failed).to.deep.equal([]);
        expect((await storedLists(faulted.store)).failed).to.deep.equal([]);
        const docs = await storedDocs(faulted.store);
        expect([...docs.keys()].sort()).to.deep.equal([...twin.docs.keys()].sort());
        for (const [name, expected] of twin.docs) {
          if (name === bad.owner) continue;
          expect(docs.get(name), name).to.deep.equal(expected);
        }
        const expected = twin.docs.get(bad.owner) as StoredWorkflow;
        expect(docs.get(bad.owner)).to.deep.equal({
          ...expected,
          EventNumberHistory: expected.EventNumberHistory?.slice(1),
        });
      });
    }
  });

  it('an input dataset five workflows read, failing on every DBS call: exactly those five fail', async () => {
    const sim = await startTestSimulator({ seed: 12, workflows: 60, active: 60, startTime: START });
    try {
      const readers = addReadersOfOneInput(sim.world, 5);
      const store = await newStore('sharedinput');
      sim.faults.set('*', { dataset: SHARED_INPUT, status5xx: 1 });
      const faulted = await run(sim, store);
      expect(faulted.summary.failed).to.deep.equal(readers.sort());
      const generated = [...sim.world.list()].filter((w) => !w.deleted).length - readers.length;
      expect(faulted.summary.changed).to.equal(generated);

      sim.faults.clear();
      const next = await run(sim, store);
      expect(next.summary.failed).to.deep.equal([]);
      const stored = await store.workflows.getMany(readers);
      const events = sim.world
        .dataset(SHARED_INPUT)
        ?.files()
        .reduce((sum, f) => sum + f.events, 0);
      for (const name of readers) expect(stored.get(name)?.TotalEvents, name).to.equal(events);
    } finally {
      await sim.close();
    }
  });

  it('faults on request, token and mcm: once they clear, the database and the notifications owed equal a run without faults', async () => {
    const sim = await startTestSimulator({
      seed: 13,
      workflows: 150,
      active: 150,
      startTime: START,
    });
    const notified = (from: number) =>
      sim.callbacks
        .slice(from)
        .filter((c) => c.status < 300)
        .map((c) => `${c.service} ${c.path} ${JSON.stringify(c.body)}`)
        .sort();
    try {
      const twin = await newStore('faulttwin');
      const faulted = await newStore('faulted');
      const triggers: CallbackTarget[] = ['prod'];
      await run(sim, twin, { triggers });
      const afterFirst = await run(sim, faulted, { triggers });
      expect(afterFirst.summary.failed).to.deep.equal([]);
      const firstRevisions = new Map<string, string | undefined>();
      for await (const page of faulted.workflows.scan(500))
        for (const doc of page) firstRevisions.set(doc._id, doc._rev);
      sim.world.advance(12 * 3600);

      let mark = sim.callbacks.length;
      const clean = await run(sim, twin, { triggers });
      const expectedNotifications = notified(mark);
      expect(clean.summary.callbackFailures).to.equal(0);
      expect(expectedNotifications.length).to.be.above(0);

      // ReqMgr2 and McM fail a third of their calls, and nothing is retried.
      mark = sim.callbacks.length;
      sim.faults.set('request', { status5xx: 0.35 });
      sim.faults.set('mcm', { status5xx: 0.35 });
      const second = await run(sim, faulted, { triggers, retries: 0 });
      expect(second.summary.failed.length).to.be.above(0);
      expect(second.summary.callbackFailures).to.be.above(0);
      expect(second.summary.callbacksPending).to.be.above(0);
      expect(runSucceeded(second.summary)).to.equal(false);
      // A workflow whose document could not be fetched wrote nothing, not even history.
      const failedNow = await faulted.workflows.getMany(second.summary.failed);
      for (const [name, doc] of failedNow)
        expect(doc._rev, `${name} was written`).to.equal(firstRevisions.get(name));
      const owed = await storedLists(faulted);
      expect(Object.keys(owed.failedCallbacks as object).length).to.be.above(0);

      // SSO refuses every token: every notification fails and stays owed.
      sim.faults.clear();
      sim.faults.set('token', { status5xx: 1 });
      const third = await run(sim, faulted, { triggers });
      expect(third.summary.failed).to.deep.equal([]);
      expect(third.summary.callbacksSent).to.equal(0);
      expect(third.summary.callbacksPending).to.be.at.least(second.summary.callbacksPending);

      sim.faults.clear();
      const fourth = await run(sim, faulted, { triggers });
      expect(fourth.summary).to.include({ callbackFailures: 0, callbacksPending: 0 });
      expect(runSucceeded(fourth.summary)).to.equal(true);

      expect(await storedDocs(faulted)).to.deep.equal(await storedDocs(twin));
      expect(await storedLists(faulted)).to.deep.equal(await storedLists(twin));
      expect(await storedLists(twin)).to.deep.equal({
        failed: [],
        pending: [],
        failedCallbacks: {},
      });
      // Every notification the clean run sent, sent once in the end.
      expect(notified(mark)).to.deep.equal(expectedNotifications);
    } finally {
      await sim.close();
    }
  });

  it('a dataset of a workflow WMStats does not list gains files: the next run finds it through DBS alone', async () => {
    // The simulator starts at the wall clock (its default); the updater keeps its real one.
    const sim = await startTestSimulator({
      seed: 14,
      workflows: 120,
      active: 30,
      startTime: Math.floor(Date.now() / 1000),
    });
    try {
      const listedBy = new Map<string, number>();
      for (const workflow of sim.world.list())
        for (const dataset of workflow.outputDatasets)
          listedBy.set(dataset, (listedBy.get(dataset) ?? 0) + 1);
      // Inactive workflows sharing no dataset with another: nothing but DBS can point at them.
      const quiet = [...sim.world.list()]
        .filter(
          (w) => !w.active && !w.deleted && w.outputDatasets.every((d) => listedBy.get(d) === 1),
        )
        .flatMap((w) => {
          const valid = w.outputDatasets.find((d) => sim.world.dataset(d)?.accessType === 'VALID');
          return valid === undefined ? [] : [{ name: w.name, dataset: valid }];
        });
      const [picked, control] = quiet;
      if (picked === undefined || control === undefined)
        throw new Error('no two inactive workflows with a VALID dataset of their own');
      const store = await newStore('dbsmodified');
      const wallClock = () => Math.floor(Date.now() / 1000);
      await run(sim, store, { now: wallClock });
      const eventsOf = async (name: string, dataset: string) =>
        (await store.workflows.get(name))?.EventNumberHistory?.map(
          (e) => e.Datasets[dataset]?.Events,
        );
      const pickedBefore = (await eventsOf(picked.name, picked.dataset)) ?? [];
      const controlBefore = (await eventsOf(control.name, control.dataset)) ?? [];
      expect(pickedBefore).to.have.length(1);

      const since = sim.world.changes.currentSeq;
      sim.world.advance(600);
      sim.world.addFiles(picked.dataset, { count: 4, eventsPerFile: 1000 });
      // The control gains files too, but DBS does not list it as modified.
      const controlModified = sim.world.dataset(control.dataset)?.lastModified as number;
      sim.world.addFiles(control.dataset, { count: 4, eventsPerFile: 1000 });
      sim.world.setDataset(control.dataset, { lastModified: controlModified });

      const active = new Set(sim.world.activeRequests().map((r) => r.name));
      const inFeed = new Set(sim.world.changesSince(since).rows.map((r) => r.id));
      for (const name of [picked.name, control.name]) {
        expect(active.has(name), `${name} active`).to.equal(false);
        expect(inFeed.has(name), `${name} in the feed`).to.equal(false);
      }

      const second = await run(sim, store, { now: wallClock });
      expect(second.summary.complete).to.equal(true);
      expect(second.calls.datasets).to.equal(1);
      expect(await eventsOf(picked.name, picked.dataset)).to.deep.equal([
        pickedBefore[0],
        (pickedBefore[0] as number) + 4000,
      ]);
      expect(await eventsOf(control.name, control.dataset)).to.deep.equal(controlBefore);
    } finally {
      await sim.close();
    }
  });
});
