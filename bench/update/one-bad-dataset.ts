/**
 * The scenario of issue 11 item 1, measured: 200 workflows, batches of 100, and DBS
 * failing every `datasetlist` query that names one output dataset. Two databases follow
 * the same simulated world: a twin without faults and one with the bad dataset during the
 * first run; simulated time then moves on and both run again without faults. Prints the
 * calls of each run and how the stored data of the two databases differ.
 *
 *   npm run build && node build/bench/update/one-bad-dataset.js
 *
 * (COUCHDB_URL selects Apache CouchDB, as for `npm run bench`.)
 */
import { composeUpdater } from '../../compose.js';
import { SettingsRepository } from '../../couch/settings.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { addReadersOfOneInput, SHARED_INPUT } from '../../sim/world/shared-input.js';
import { runUpdate, type RunSummary } from '../../updater/run.js';
import { openBenchCouch, type BenchCouch } from '../support/bench-couch.js';

const SEED = 11;
const WORKFLOWS = 200;
const START = Date.UTC(2026, 5, 1) / 1000;

interface Side {
  label: string;
  workflows: WorkflowRepository;
  settings: SettingsRepository;
}

async function main(): Promise<void> {
  const couch = await openBenchCouch();
  const sim = await startSimulator({
    seed: SEED,
    workflows: WORKFLOWS,
    active: WORKFLOWS,
    startTime: START,
  });
  try {
    const twin = await side(couch, 'twin');
    const faulted = await side(couch, 'faulted');
    const bad = soleOutputInProduction(sim);
    const owner = [...sim.world.list()].find((w) => w.outputDatasets.includes(bad))?.name;
    console.log(`bad dataset: ${bad} (output of ${owner} only)`);

    const first = await runBoth(sim, twin, faulted, () =>
      sim.faults.set('datasetlist', { dataset: bad, dbsListError: 1 }),
    );
    sim.world.advance(6 * 3600);
    const second = await runBoth(sim, twin, faulted, () => undefined);

    for (const [label, run] of [
      ['run 1 (bad dataset)', first],
      ['run 2 (fault cleared, 6 h later)', second],
    ] as const) {
      console.log(`\n${label}`);
      for (const [who, outcome] of Object.entries(run)) {
        console.log(
          `  ${who.padEnd(8)} datasetlist calls ${outcome.calls.datasetlist ?? 0}, all calls ${Object.values(outcome.calls).reduce((a, b) => a + b, 0)}, ` +
            `failed ${outcome.summary.failed.length}, history entries added ${outcome.summary.historyEntriesAdded}, documents written ${outcome.summary.changed}`,
        );
      }
    }
    console.log('\nstored data, faulted vs twin (ignoring _rev and LastUpdate)');
    console.log(`  ${await compare(twin, faulted)}`);

    const readers = addReadersOfOneInput(sim.world, 5);
    const input = await side(couch, 'input');
    sim.faults.set('*', { dataset: SHARED_INPUT, status5xx: 1 });
    const { summary, calls } = await runOne(sim, input).finally(() => sim.faults.clear());
    const failed = new Set(summary.failed);
    console.log(
      `\ninput dataset ${SHARED_INPUT} read by ${readers.length} workflows, every DBS call naming it failing (HTTP 5xx):`,
    );
    console.log(
      `  failed ${summary.failed.length} (the ${readers.length} readers among them: ${readers.filter((n) => failed.has(n)).length}), ` +
        `documents written ${summary.changed}, calls ${Object.values(calls).reduce((a, b) => a + b, 0)}`,
    );
  } finally {
    await sim.close();
    await couch.close();
  }
}

async function side(couch: BenchCouch, label: string): Promise<Side> {
  const names = await couch.createDatabases(`onebad_${label}`);
  return {
    label,
    workflows: new WorkflowRepository(couch.server, names.requests),
    settings: new SettingsRepository(couch.server, names.settings),
  };
}

/** An output dataset DBS holds as PRODUCTION that no other workflow lists. */
function soleOutputInProduction(sim: Simulator): string {
  const listedBy = new Map<string, number>();
  for (const workflow of sim.world.list())
    for (const dataset of workflow.outputDatasets)
      listedBy.set(dataset, (listedBy.get(dataset) ?? 0) + 1);
  for (const [dataset, count] of [...listedBy].sort()) {
    if (count === 1 && sim.world.dataset(dataset)?.accessType === 'PRODUCTION') return dataset;
  }
  throw new Error('no output dataset in PRODUCTION listed by one workflow only');
}

interface Outcome {
  summary: RunSummary;
  calls: Record<string, number>;
}

async function runBoth(
  sim: Simulator,
  twin: Side,
  faulted: Side,
  injectFaults: () => void,
): Promise<Record<string, Outcome>> {
  const twinOutcome = await runOne(sim, twin);
  injectFaults();
  try {
    return { twin: twinOutcome, faulted: await runOne(sim, faulted) };
  } finally {
    sim.faults.clear();
  }
}

async function runOne(sim: Simulator, target: Side): Promise<Outcome> {
  const config = loadConfig({ ...sim.env, UPSTREAM_RETRIES: '3' });
  const logger = createLogger({ level: 'silent' });
  const updater = await composeUpdater(
    config,
    { repositories: target, logger },
    { retryDelays: { baseMs: 10, maxMs: 40 } },
  );
  const before = { ...sim.counts };
  try {
    const summary = await runUpdate(updater.deps, { now: () => sim.world.now(), batchSize: 100 });
    const calls = Object.fromEntries(
      Object.entries(sim.counts)
        .map(([endpoint, count]): [string, number] => [endpoint, count - (before[endpoint] ?? 0)])
        .filter(([, count]) => count > 0),
    );
    return { summary, calls };
  } finally {
    await updater.close();
  }
}

async function compare(twin: Side, faulted: Side): Promise<string> {
  const docs = async (side: Side) => {
    const all = new Map<string, StoredWorkflow>();
    for await (const page of side.workflows.scan(500))
      for (const doc of page) all.set(doc._id, doc);
    return all;
  };
  const [expected, actual] = await Promise.all([docs(twin), docs(faulted)]);
  let equal = 0;
  let missingPoints = 0;
  const differing: string[] = [];
  for (const [name, doc] of expected) {
    const other = actual.get(name);
    if (
      other !== undefined &&
      JSON.stringify(comparable(doc)) === JSON.stringify(comparable(other))
    ) {
      equal++;
      continue;
    }
    const have = new Set((other?.EventNumberHistory ?? []).map((e) => JSON.stringify(e)));
    const missing = (doc.EventNumberHistory ?? []).filter((e) => !have.has(JSON.stringify(e)));
    missingPoints += missing.length;
    differing.push(name);
  }
  return (
    `${equal} of ${expected.size} workflows equal; ${differing.length} differ` +
    (differing.length > 0
      ? ` (history points of the twin missing in the faulted database: ${missingPoints}; e.g. ${differing.slice(0, 3).join(', ')})`
      : '')
  );
}

function comparable(doc: StoredWorkflow): unknown {
  const { _rev: _r, LastUpdate: _l, ...rest } = doc;
  return rest;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
