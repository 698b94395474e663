/**
 * The campaign dashboards at scale: generated workflows written straight into CouchDB
 * with no design document (`_bulk_docs` batches, several at once: the fill is setup, not
 * measured), the existing design documents deployed and their index build timed, still
 * without the `dashboards` design document (as before an upgrade), then
 * - an update run's writes (changed workflows, one more history entry each, written as
 *   the updater writes them) and the work of bringing the indexes up to date, without and
 *   with the new view;
 * - the new view's index build over every stored workflow (the staged deploy `setup` runs);
 * - the website (child process) under autocannon on each dashboard page and JSON answer,
 *   after its first snapshot.
 * Reports under its own id per server kind, so embedded and Apache CouchDB figures stand
 * side by side.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DocumentScope } from 'nano';
import { compileDesignDoc } from '../../couch/design.js';
import { deployDesignDocs } from '../../couch/deploy.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { DESIGN_DOC, WORKFLOW_VIEWS, WorkflowRepository } from '../../couch/workflows.js';
import { DASHBOARDS_DESIGN_DOC, PRODUCTION_VIEW } from '../../server/read-model/dashboard-views.js';
import { integer, milliseconds, seconds, sum } from '../report/format.js';
import type { ReportBody, Table, TargetCheck } from '../report/report.js';
import type { BenchContext } from '../support/bench-context.js';
import { openBenchCouch, untilIndexed } from '../support/bench-couch.js';
import { deployedNodeFlags, describeFlags } from '../support/deployed-node-flags.js';
import { WorkerProcess } from '../support/worker-process.js';
import {
  fillWorkflows,
  UPDATE_WRITE_BATCH,
  UPDATE_WRITES_AT_ONCE,
  writeGrownWorkflows,
  type Fill,
} from '../website/fill-workflows.js';
import { runLoad, type Load } from '../website/load.js';
import { memoryNote } from '../website/website-bench.js';
import { campaignOf, storedWorkflow } from '../website/stored-workflows.js';
import {
  PREFIX,
  type WebsiteStarted,
  type WebsiteUsage,
  type WebsiteWorkerInput,
} from '../website/website-worker.js';

const P99_TARGET_MS = 50;
const EXTRA_COST_TARGET = 0.2;
/** What Chromium and Firefox send. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br, zstd' };
/** The fill: this many `_bulk_docs` streams at once. */
const FILL_STREAMS = 4;
/** What `setup` deploys into the requests database before the dashboards existed. */
const EXISTING_DESIGN_DOCS = [DESIGN_DOC, 'validate_write'];

interface RequestKind {
  label: string;
  paths: string[];
  /** Asked accepting gzip, as browsers, curl --compressed and Python's requests ask. */
  gzip: boolean;
  /** One of the pages and JSON answers the p99 target applies to. */
  target: boolean;
}

interface Measured {
  kind: RequestKind;
  load: Load;
  firstResponseMs: number;
  couchRequests: number;
  workerCpuPercent: number;
}

/** Time spent on an update run's writes and on bringing the indexes up to date after them. */
interface WriteRound {
  /** 1, 2, … in the order the runs were made. */
  run: number;
  writesMs: number;
  existingIndexMs: number;
  /** The dashboards view; 0 when it is not deployed. */
  newIndexMs: number;
}

export async function dashboardsBenchmark(context: BenchContext): Promise<ReportBody[]> {
  const { workflows, historyEntries, changedShare, writeRounds, connections, durationSeconds } =
    context.scale.dashboards;
  const couch = await openBenchCouch();
  let worker: WorkerProcess | undefined;
  let snapshotDir: string | undefined;
  try {
    const names = await couch.createDatabases('dashboards');
    const db = couch.server.use<StoredWorkflow>(names.requests) as DocumentScope<StoredWorkflow>;
    const repository = new WorkflowRepository(couch.server, names.requests);
    for (const name of [...EXISTING_DESIGN_DOCS, DASHBOARDS_DESIGN_DOC])
      await removeDesignDoc(db, `_design/${name}`);
    const now = Math.floor(Date.now() / 1000);
    context.log(`dashboards: writing ${integer(workflows)} workflows`);
    const fill = await fillInStreams(repository, workflows, (i) =>
      storedWorkflow(i, now, historyEntries),
    );
    context.log(`dashboards: written in ${seconds(fill.seconds * 1000)} s`);
    context.log('dashboards: deploying the existing design documents (index build of _designDoc)');
    const existingBuildMs = await timed(() =>
      deployDesignDocs(
        couch.server,
        names.requests,
        EXISTING_DESIGN_DOCS.map((name) => compileDesignDoc(name)),
      ),
    );
    context.log(`dashboards: existing views built in ${seconds(existingBuildMs)} s`);

    const changed = Math.max(1, Math.round(workflows * changedShare));
    // Runs without the view, before and after those with it, so that what makes later runs
    // slower (a growing database, compactions) weighs on both sides alike. Each run changes
    // workflows no run before it changed.
    let nextRound = 0;
    const rounds = async (count: number, withView: boolean): Promise<WriteRound[]> => {
      const measured: WriteRound[] = [];
      for (let k = 0; k < count; k++) {
        context.log(
          `dashboards: ${integer(changed)} changed workflows written, ${withView ? 'with' : 'without'} the new view (run ${nextRound + 1} of ${4 * writeRounds})`,
        );
        const run = ++nextRound;
        measured.push({
          run,
          ...(await writeRound(repository, db, (run - 1) * changed, changed, now, withView)),
        });
      }
      return measured;
    };
    const without = await rounds(writeRounds, false);
    context.log('dashboards: deploying the dashboards design document (staged index build)');
    const deployMs = await timed(() =>
      deployDesignDocs(couch.server, names.requests, [compileDesignDoc(DASHBOARDS_DESIGN_DOC)]),
    );
    context.log(`dashboards: dashboards view built in ${seconds(deployMs)} s`);
    const withView = await rounds(2 * writeRounds, true);

    worker = WorkerProcess.start('website/website-worker.js', {
      label: 'website',
      profileDir: context.profileDir,
      nodeFlags: deployedNodeFlags('stats2-web.service'),
    });
    snapshotDir = mkdtempSync(path.join(os.tmpdir(), 'stats2-bench-dashboards-'));
    const input: WebsiteWorkerInput = { reader: couch.reader, databases: names, snapshotDir };
    const started = (await worker.ask<WebsiteStarted>('start', input)).value;
    // Dashboards answer 503 until the index has read every workflow, then from a first snapshot.
    const firstSnapshotMs = await timeFirstAnswer(started.origin, `${PREFIX}/api/dashboard`);
    context.log(
      `dashboards: first answer (index read, first snapshot) after ${seconds(firstSnapshotMs)} s`,
    );

    const measured: Measured[] = [];
    for (const kind of requestKinds()) {
      const firstResponseMs = await timeFirstAnswer(started.origin, kind.paths[0] as string);
      context.log(`dashboards: ${kind.label}`);
      await worker.ask<WebsiteUsage>('usage');
      const load = await runLoad({
        origin: started.origin,
        paths: kind.paths,
        connections,
        durationSeconds,
        ...(kind.gzip ? { headers: BROWSER_HEADERS } : {}),
      });
      const usage = (await worker.ask<WebsiteUsage>('usage')).value;
      measured.push({
        kind,
        load,
        firstResponseMs,
        couchRequests: sum(usage.couchRequests),
        workerCpuPercent: usage.cpuMs / (durationSeconds * 10),
      });
    }
    const final = await worker.ask<WebsiteUsage>('usage');
    await worker.stop();
    worker = undefined;
    context.log('dashboards: dashboards design document deleted (its index is no longer kept up)');
    await removeDesignDoc(db, `_design/${DASHBOARDS_DESIGN_DOC}`);
    without.push(...(await rounds(writeRounds, false)));
    const server = couch.embedded ? 'the embedded pouchdb-server' : 'Apache CouchDB';
    const setup =
      `${integer(workflows)} generated workflows (${historyEntries} history entries, 3 campaigns, 3 output datasets each; website benchmark's generator) ` +
      `written with _bulk_docs (${FILL_STREAMS} streams of 2,000-document batches) into ${server} in ${seconds(fill.seconds * 1000)} s with no design document; ` +
      `then setup's existing design documents deployed (staged: index build of _designDoc, timed), without the dashboards design document. ` +
      `An update run's writes: ${integer(changed)} workflows (${Math.round(changedShare * 100)} %) gain a history entry, written in batches of ${UPDATE_WRITE_BATCH}, ${UPDATE_WRITES_AT_ONCE} at once, as the updater writes; ` +
      `then each view is queried until its index has caught up (pouchdb-server indexes on query, Apache CouchDB also in the background); ` +
      `${writeRounds} such runs before the dashboards design document is deployed, ${2 * writeRounds} with it, and ${writeRounds} after it is deleted again (at the end), each changing other workflows: the median run with the view against the median run without. ` +
      `The website in a child process (${describeFlags('stats2-web.service')}) read the workflows into its index (no snapshot file yet) and answered the first dashboard request after ${seconds(firstSnapshotMs)} s; ` +
      `autocannon at ${connections} connections for ${durationSeconds} s per request kind, after the first snapshot.`;
    return [
      report(couch.embedded, setup, {
        workflows,
        changed,
        existingBuildMs,
        deployMs,
        without,
        withView,
        firstSnapshotMs,
        measured,
        usage: final.value,
        maxRssMb: final.maxRssMb,
      }),
    ];
  } finally {
    await worker?.stop();
    await couch.close();
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  }
}

function requestKinds(): RequestKind[] {
  const campaign = encodeURIComponent(campaignOf(0));
  const campaigns = Array.from({ length: 40 }, (_, i) => encodeURIComponent(campaignOf(i)));
  const kind = (label: string, path: string, target = true, gzip = true): RequestKind => ({
    label,
    paths: [path],
    gzip,
    target,
  });
  return [
    kind('/campaigns page', `${PREFIX}/campaigns`),
    kind('/campaigns JSON', `${PREFIX}/api/campaigns`),
    kind('campaign page', `${PREFIX}/campaign/${campaign}`),
    kind('campaign JSON', `${PREFIX}/api/campaign/${campaign}`),
    kind('/dashboard page', `${PREFIX}/dashboard`),
    kind('/dashboard JSON', `${PREFIX}/api/dashboard`),
    kind(
      '/dashboard JSON, uncompressed (no Accept-Encoding)',
      `${PREFIX}/api/dashboard`,
      false,
      false,
    ),
    {
      label: `${campaigns.length} campaign pages in turn, windows in turn`,
      paths: campaigns.flatMap((name) =>
        ['30d', '120d', '1y', 'all'].map((window) => `${PREFIX}/campaign/${name}?window=${window}`),
      ),
      gzip: true,
      target: false,
    },
    kind('/campaigns CSV', `${PREFIX}/api/campaigns.csv?window=all`, false),
  ];
}

/**
 * `count` stored workflows from `offset` on gain a history entry (their outputs grow), as an
 * update run that finds them changed writes them; then every view catches up.
 */
async function writeRound(
  repository: WorkflowRepository,
  db: DocumentScope<StoredWorkflow>,
  offset: number,
  count: number,
  now: number,
  withView: boolean,
): Promise<Omit<WriteRound, 'run'>> {
  const writesMs = await writeGrownWorkflows(repository, offset, count, now);
  const existingIndexMs = await timed(() => catchUpExisting(db));
  const newIndexMs = withView
    ? await timed(() =>
        untilIndexed(() =>
          db.view(DASHBOARDS_DESIGN_DOC, PRODUCTION_VIEW, { limit: 1, reduce: false }),
        ),
      )
    : 0;
  return { writesMs, existingIndexMs, newIndexMs };
}

/** `count` generated workflows written by several `_bulk_docs` streams at once, each its own range. */
async function fillInStreams(
  repository: WorkflowRepository,
  count: number,
  make: (i: number) => StoredWorkflow,
): Promise<Fill> {
  const started = performance.now();
  const share = Math.ceil(count / FILL_STREAMS);
  await Promise.all(
    Array.from({ length: FILL_STREAMS }, (_, stream) => {
      const from = stream * share;
      return fillWorkflows(repository, Math.max(0, Math.min(share, count - from)), (i) =>
        make(from + i),
      );
    }),
  );
  return { documents: count, seconds: (performance.now() - started) / 1000 };
}

async function catchUpExisting(db: DocumentScope<StoredWorkflow>): Promise<void> {
  for (const view of WORKFLOW_VIEWS)
    await untilIndexed(() => db.view(DESIGN_DOC, view, { limit: 1 }));
}

async function removeDesignDoc(db: DocumentScope<StoredWorkflow>, id: string): Promise<void> {
  const doc = await db.get(id);
  await db.destroy(id, doc._rev as string);
}

/** The first answer of a URL; a 503 (the snapshot being built) is asked again. */
async function timeFirstAnswer(origin: string, path: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${origin}${path}`);
    await response.arrayBuffer();
    if (response.ok) return performance.now() - started;
    if (response.status !== 503) throw new Error(`GET ${path} answered ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

interface Figures {
  workflows: number;
  changed: number;
  existingBuildMs: number;
  deployMs: number;
  without: WriteRound[];
  withView: WriteRound[];
  firstSnapshotMs: number;
  measured: Measured[];
  usage: WebsiteUsage;
  maxRssMb: number;
}

function report(embedded: boolean, setup: string, f: Figures): ReportBody {
  const total = (round: WriteRound) => round.writesMs + round.existingIndexMs + round.newIndexMs;
  const writes = {
    without: median(f.without.map((round) => round.writesMs)),
    withView: median(f.withView.map((round) => round.writesMs)),
  };
  const work = { without: median(f.without.map(total)), withView: median(f.withView.map(total)) };
  const writesExtra = writes.withView / writes.without - 1;
  const workExtra = work.withView / work.without - 1;
  const runs = [
    ...f.without.map((round) => ({ round, view: 'without' })),
    ...f.withView.map((round) => ({ round, view: 'with' })),
  ].sort((a, b) => a.round.run - b.round.run);
  const runRows = runs.map(({ round, view }) => [
    `run ${round.run}: ${integer(f.changed)} changed workflows, ${view} the dashboards view`,
    seconds(round.writesMs) + ' s',
    seconds(round.existingIndexMs) + ' s',
    round.newIndexMs === 0 ? '–' : seconds(round.newIndexMs) + ' s',
    seconds(total(round)) + ' s',
  ]);
  const percent = (share: number) => `${share >= 0 ? '+' : ''}${Math.round(share * 100)} %`;
  const indexTable: Table = {
    caption: "Index builds and an update run's writes",
    columns: [
      'what',
      'writes',
      'existing views (_designDoc) catch up',
      'dashboards view catches up',
      'total',
    ],
    rows: [
      [
        'build of the existing views over every workflow',
        '–',
        seconds(f.existingBuildMs) + ' s',
        '–',
        seconds(f.existingBuildMs) + ' s',
      ],
      [
        `build of the dashboards view over every workflow (staged deploy: ${integer(f.workflows / (f.deployMs / 1000))} workflows/s)`,
        '–',
        '–',
        seconds(f.deployMs) + ' s',
        seconds(f.deployMs) + ' s',
      ],
      ...runRows,
      [
        `extra with the dashboards view (median run with / median run without)`,
        percent(writesExtra),
        '',
        '',
        percent(workExtra),
      ],
    ],
  };
  const loadTable: Table = {
    caption: `Dashboards at ${integer(f.workflows)} workflows`,
    columns: [
      'request',
      'path',
      'req/s',
      'p50',
      'p99',
      'max',
      'failed',
      'KB per answer',
      'CouchDB requests per request',
      'CPU server / autocannon',
      'first request (cold)',
    ],
    rows: f.measured.map(({ kind, load, firstResponseMs, couchRequests, workerCpuPercent }) => [
      kind.label,
      `\`${kind.paths[0]}\`${kind.paths.length > 1 ? ' …' : ''}`,
      integer(load.requestsPerSecond),
      milliseconds(load.p50Ms),
      milliseconds(load.p99Ms),
      milliseconds(load.maxMs),
      integer(load.failures),
      integer(load.kilobytesPerResponse),
      (couchRequests / Math.max(1, load.requests)).toFixed(2),
      `${Math.round(workerCpuPercent)} % / ${Math.round(load.loadGeneratorCpuPercent)} %`,
      milliseconds(firstResponseMs),
    ]),
  };
  const targets: TargetCheck[] = [
    ...f.measured
      .filter(({ kind }) => kind.target)
      .map(({ kind, load }) => ({
        what: `${kind.label} at ${integer(f.workflows)} workflows, 32 connections${kind.gzip ? ' (gzip accepted)' : ''}`,
        target: `p99 ≤ ${P99_TARGET_MS} ms`,
        measured: `p99 ${milliseconds(load.p99Ms)}, ${integer(load.requestsPerSecond)} req/s, ${integer(load.failures)} failed`,
        met: load.p99Ms <= P99_TARGET_MS && load.failures === 0,
      })),
    {
      what: `index build of the dashboards view over ${integer(f.workflows)} workflows`,
      target: 'measured',
      measured: `${seconds(f.deployMs)} s (the existing views: ${seconds(f.existingBuildMs)} s)`,
      met: true,
    },
    {
      what: `extra cost of an update run's writes (${integer(f.changed)} changed workflows) with the dashboards view`,
      target: `< ${Math.round(EXTRA_COST_TARGET * 100)} %`,
      measured: `${percent(writesExtra)} (medians ${seconds(writes.without)} → ${seconds(writes.withView)} s)`,
      met: writesExtra < EXTRA_COST_TARGET,
    },
    {
      what: `extra cost of those writes with bringing every index up to date after them`,
      target: `< ${Math.round(EXTRA_COST_TARGET * 100)} %`,
      measured: `${percent(workExtra)} (medians ${seconds(work.without)} → ${seconds(work.withView)} s)`,
      met: workExtra < EXTRA_COST_TARGET,
    },
  ];
  const notes = [
    `First dashboards answer after the website started listening (its index read from CouchDB, then the first snapshot: the view's queries and a pass over the index): ${seconds(f.firstSnapshotMs)} s.`,
    `Website memory after the runs: RSS ${Math.round(f.usage.rssMb)} MB, V8 heap used ${Math.round(f.usage.heapUsedMb)} MB, peak RSS ${Math.round(f.maxRssMb)} MB.`,
    ...(f.usage.memory ? [memoryNote(f.usage.memory)] : []),
  ];
  return {
    id: embedded ? 'dashboards' : 'dashboards-couchdb',
    title: `Campaign dashboards (${embedded ? 'embedded pouchdb-server' : 'Apache CouchDB'})`,
    setup,
    tables: [indexTable, loadTable],
    targets,
    notes,
  };
}
