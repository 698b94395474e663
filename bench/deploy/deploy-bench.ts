/**
 * Benchmark 5: a changed design document deployed under load. Readers query the live
 * views without pause before, during and after `deployDesignDocs` stages, builds and
 * swaps in a `_designDoc` whose every view changed; none of them may fail or wait for
 * the index build, and the live views must answer at once after the swap. Filling the
 * database measures `_bulk_docs` with `validate_write` installed, beside a database
 * without it.
 */
import type { DocumentScope } from 'nano';
import { connect } from '../../couch/connection.js';
import { deployDesignDocs } from '../../couch/deploy.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import {
  DESIGN_DOC,
  WORKFLOW_VIEWS,
  WorkflowRepository,
  type WorkflowView,
} from '../../couch/workflows.js';
import { integer, milliseconds, seconds } from '../report/format.js';
import { summarizeLatencies, type LatencySummary } from '../report/latencies.js';
import type { ReportBody, Table, TargetCheck } from '../report/report.js';
import type { BenchContext } from '../support/bench-context.js';
import { openBenchCouch } from '../support/bench-couch.js';
import { fillWorkflows, type Fill } from '../website/fill-workflows.js';
import { storedWorkflow } from '../website/stored-workflows.js';
import { changedDesignDoc } from './changed-design-doc.js';
import { meanDocumentBytes, measureWriteRates, type WriteRates } from './write-rates.js';
import { ViewReaders, type ReaderRecord, type ViewQuery } from './view-readers.js';

const HISTORY_ENTRIES = 10;
const QUIET_MS = 3000;
const SAMPLED_WORKFLOWS = 50;

interface Window {
  summary: LatencySummary;
  errors: string[];
}

export async function deployBenchmark(context: BenchContext): Promise<ReportBody[]> {
  const couch = await openBenchCouch();
  const { readers } = context.scale.deploy;
  const workflows = couch.embedded
    ? context.scale.deploy.workflows
    : context.scale.deploy.workflowsOnCouchDB;
  try {
    const names = await couch.createDatabases('deploy');
    const now = Math.floor(Date.now() / 1000);
    const make = (i: number) => storedWorkflow(i, now, HISTORY_ENTRIES);
    const sample = Math.min(workflows, WRITE_SAMPLE);
    context.log(
      `deploy: writing ${integer(sample)} workflows into databases without design documents and with validate_write only`,
    );
    const scratch = await measureWriteRates(couch, names.requests, sample, make);
    context.log(`deploy: writing ${integer(workflows)} workflows`);
    let sampleSeconds = 0;
    const started = performance.now();
    const fill = await fillWorkflows(
      new WorkflowRepository(couch.server, names.requests),
      workflows,
      make,
      (written) => {
        if (written === sample) sampleSeconds = (performance.now() - started) / 1000;
      },
    );
    const writes: Writes = {
      ...scratch,
      documentBytes: meanDocumentBytes(make),
      asSetUp: { documents: sample, seconds: sampleSeconds },
      wholeFill: fill,
    };
    const adminDb = couch.server.use<StoredWorkflow>(
      names.requests,
    ) as DocumentScope<StoredWorkflow>;
    context.log('deploy: building the live views');
    const liveBuildMs = await timed(() => queryEachView(adminDb));

    const readerDb = connect(couch.reader).use<StoredWorkflow>(
      names.requests,
    ) as DocumentScope<StoredWorkflow>;
    const queries = readerQueries(workflows, now);
    const changed = changedDesignDoc(new Date().toISOString());
    const viewReaders = new ViewReaders(readerDb, queries, readers);
    await sleep(QUIET_MS);
    const deployStart = viewReaders.elapsed();
    context.log('deploy: deploying a changed _designDoc while readers query');
    const deployMs = await timed(() => deployDesignDocs(couch.server, names.requests, [changed]));
    const deployEnd = viewReaders.elapsed();
    await sleep(QUIET_MS);
    const records = await viewReaders.stop();
    const afterSwap = await firstQueryOfEachView(readerDb, queries);
    const live = await adminDb.get(`_design/${DESIGN_DOC}`);
    const swapped =
      (live as unknown as { deploy?: { hash?: string } }).deploy?.hash === changed.deploy.hash;

    const before = window(records.filter((r) => r.at < deployStart));
    const during = window(records.filter((r) => r.at >= deployStart && r.at <= deployEnd));
    const after = window(records.filter((r) => r.at > deployEnd));
    return [
      report({
        embedded: couch.embedded,
        workflows,
        writes,
        readers,
        liveBuildMs,
        deployMs,
        before,
        during,
        after,
        afterSwap,
        swapped,
      }),
    ];
  } finally {
    await couch.close();
  }
}

/** Documents written to each scratch database (and the same first ones of the fill). */
const WRITE_SAMPLE = 20_000;

interface Writes extends WriteRates {
  documentBytes: number;
  /** The first WRITE_SAMPLE documents of the fill, into the database as setup leaves it. */
  asSetUp: Fill;
  wholeFill: Fill;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function queryEachView(db: DocumentScope<StoredWorkflow>): Promise<void> {
  for (const view of WORKFLOW_VIEWS) await db.view(DESIGN_DOC, view, { limit: 1 });
}

/** A key of every view for a sample of the stored workflows, views taken in turn. */
function readerQueries(workflows: number, now: number): ViewQuery[] {
  const step = Math.max(1, Math.floor(workflows / SAMPLED_WORKFLOWS));
  const queries: ViewQuery[] = [];
  for (let i = 1; i < workflows; i += step) {
    const doc = storedWorkflow(i, now, 1);
    const keys: Record<WorkflowView, string> = {
      campaigns: doc.Campaigns?.[0] ?? '',
      inputDatasets: doc.InputDataset ?? '/Unknown/Dataset/GEN-SIM',
      outputDatasets: doc.OutputDatasets?.[1] ?? '',
      prepids: doc.PrepID ?? '',
      processingStrings: doc.ProcessingString ?? '',
      requests: doc.Requests?.[0] ?? '',
      types: doc.RequestType ?? '',
    };
    for (const view of WORKFLOW_VIEWS) queries.push({ view, key: keys[view] });
  }
  return queries;
}

async function firstQueryOfEachView(
  db: DocumentScope<StoredWorkflow>,
  queries: readonly ViewQuery[],
): Promise<number> {
  let worst = 0;
  for (const view of WORKFLOW_VIEWS) {
    const query = queries.find((q) => q.view === view) as ViewQuery;
    worst = Math.max(
      worst,
      await timed(() => db.view(DESIGN_DOC, view, { key: query.key, limit: 100 })),
    );
  }
  return worst;
}

function window(records: readonly ReaderRecord[]): Window {
  return {
    summary: summarizeLatencies(records.map((r) => r.ms)),
    errors: records.flatMap((r) => (r.error === undefined ? [] : [r.error])),
  };
}

interface Measured {
  embedded: boolean;
  workflows: number;
  writes: Writes;
  readers: number;
  liveBuildMs: number;
  deployMs: number;
  before: Window;
  during: Window;
  after: Window;
  afterSwap: number;
  swapped: boolean;
}

function report(m: Measured): ReportBody {
  // A query that waited for an index build would take at least about as long as building
  // one view. pouchdb-server builds each view on its first query: the live views' build
  // time divided among them. Apache CouchDB builds a design document's views together,
  // and in the background while documents are written (so the live build measured after
  // the fill is short): a seventh of the staged build, which the deploy waits for.
  const buildMs = m.embedded ? m.liveBuildMs : m.deployMs;
  const waitMs = buildMs / WORKFLOW_VIEWS.length;
  const waitWhat = m.embedded
    ? `the time one view takes to build here (the staged build took ${seconds(m.deployMs)} s)`
    : `a seventh of the staged build of the seven views (${seconds(m.deployMs)} s)`;
  const row = (label: string, w: Window) => [
    label,
    integer(w.summary.count),
    milliseconds(w.summary.p50Ms),
    milliseconds(w.summary.p99Ms),
    milliseconds(w.summary.maxMs),
    integer(w.errors.length),
  ];
  const errors = [...m.before.errors, ...m.during.errors, ...m.after.errors];
  const targets: TargetCheck[] = [
    {
      what: 'reader errors during the deploy',
      target: 'none',
      measured: errors.length === 0 ? 'none' : `${errors.length} (first: ${errors[0]})`,
      met: errors.length === 0,
    },
    {
      what: 'worst reader latency during the deploy (no wait for the index build)',
      target: `< ${seconds(waitMs)} s, ${waitWhat}`,
      measured: milliseconds(m.during.summary.maxMs),
      met: m.during.summary.maxMs < waitMs,
    },
    {
      what: 'slowest first query of a live view after the swap',
      target: `< ${seconds(waitMs)} s, new design document live`,
      measured: `${milliseconds(m.afterSwap)}${m.swapped ? '' : ', but the live design document is not the new one'}`,
      met: m.afterSwap < waitMs && m.swapped,
    },
  ];
  const fills: [string, Fill][] = [
    ['without design documents', m.writes.withoutDesignDocs],
    ['with validate_write only', m.writes.withValidateOnly],
    [
      `as setup leaves it (validate_write and _designDoc's views${m.embedded ? '' : ', which CouchDB indexes in the background meanwhile'})`,
      m.writes.asSetUp,
    ],
  ];
  if (m.writes.wholeFill.documents > m.writes.asSetUp.documents)
    fills.push(['as setup leaves it, the whole fill', m.writes.wholeFill]);
  const writes: Table = {
    caption: `Filling the database: \`_bulk_docs\` of 500 generated workflows (${(m.writes.documentBytes / 1024).toFixed(1)} KB each on average), one request at a time`,
    columns: ['database', 'documents', 'time', 'write rate'],
    rows: fills.map(([what, fill]) => [
      what,
      integer(fill.documents),
      `${seconds(fill.seconds * 1000)} s`,
      `${integer(fill.documents / fill.seconds)} docs/s`,
    ]),
  };
  return {
    id: 'deploy',
    title: 'Design-document deploy under readers',
    setup:
      `${integer(m.workflows)} generated workflows; the live views built beforehand (${seconds(m.liveBuildMs)} s); ` +
      `${m.readers} readers query the live views of _designDoc (key, limit 100, views in turn) without pause while a _designDoc with every map function changed is deployed ` +
      `(staged copy built, the live one kept open under a retired copy, the staged one copied over it, the staging copy removed, the retired one removed once no query waits on it, old indexes cleaned up): the deploy took ${seconds(m.deployMs)} s.`,
    tables: [
      {
        columns: ['reader queries', 'count', 'p50', 'p99', 'max', 'errors'],
        rows: [
          row(`${QUIET_MS / 1000} s before the deploy`, m.before),
          row('during the deploy', m.during),
          row(`${QUIET_MS / 1000} s after the deploy`, m.after),
        ],
      },
      writes,
    ],
    targets,
    notes: [],
  };
}
