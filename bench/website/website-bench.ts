/**
 * Benchmark 3: the website under load. Generated workflows are written straight into
 * CouchDB; the website runs in a child process (its index reads them all); then
 * autocannon drives each kind of request in turn at a fixed number of connections.
 */
import { WorkflowRepository } from '../../couch/workflows.js';
import { integer, megabytes, milliseconds, seconds, sum } from '../report/format.js';
import type { ReportBody, Table, TargetCheck } from '../report/report.js';
import type { BenchContext } from '../support/bench-context.js';
import { openBenchCouch } from '../support/bench-couch.js';
import { deployedNodeFlags, describeFlags } from '../support/deployed-node-flags.js';
import { WorkerProcess } from '../support/worker-process.js';
import { fillWorkflows } from './fill-workflows.js';
import { runLoad, type Load } from './load.js';
import {
  campaignOf,
  processingStringOf,
  storedWorkflow,
  workflowNameOf,
} from './stored-workflows.js';
import {
  PREFIX,
  type WebsiteStarted,
  type WebsiteUsage,
  type WebsiteWorkerInput,
} from './website-worker.js';

const PAGE_SIZE = 100;
const GET_JSON_NAMES = 1000;
const LIST_TARGET = { requestsPerSecond: 250, p99Ms: 50 };

interface RequestKind {
  label: string;
  /** Shown in the report. */
  example: string;
  paths: string[];
  /** The list-page targets apply. */
  listTarget: boolean;
  /** Asked as a browser asks, accepting compressed answers. */
  browser: boolean;
}

/** What Chromium and Firefox send. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br, zstd' };

interface Measured {
  kind: RequestKind;
  load: Load;
  /** Time to the first answer before the load; undefined for the control. */
  firstResponseMs?: number;
  couchRequests: number;
  /** CPU the worker (website or control server) took during the load, in % of one core. */
  workerCpuPercent: number;
}

function requestKinds(workflows: number): RequestKind[] {
  const lastPage = Math.max(0, Math.ceil(workflows / PAGE_SIZE) - 1);
  const campaign = campaignOf(0);
  const processingString = processingStringOf(0);
  const step = Math.max(1, Math.floor(workflows / GET_JSON_NAMES));
  const jsonPaths = Array.from(
    { length: Math.min(GET_JSON_NAMES, workflows) },
    (_, k) => `${PREFIX}/get_json/${encodeURIComponent(workflowNameOf(k * step))}`,
  );
  const everyPage = Array.from({ length: lastPage + 1 }, (_, page) => `${PREFIX}/${page}`);
  return [
    {
      label: 'list page',
      example: `${PREFIX}/`,
      paths: [`${PREFIX}/`],
      listTarget: true,
      browser: true,
    },
    {
      label: 'deep list page (last)',
      example: `${PREFIX}/${lastPage}`,
      paths: [`${PREFIX}/${lastPage}`],
      listTarget: true,
      browser: true,
    },
    {
      label: `every list page in turn (${integer(everyPage.length)} pages: nothing shared between requests)`,
      example: `${PREFIX}/<page>`,
      paths: everyPage,
      listTarget: false,
      browser: true,
    },
    {
      label: 'list page, uncompressed (no Accept-Encoding)',
      example: `${PREFIX}/`,
      paths: [`${PREFIX}/`],
      listTarget: false,
      browser: false,
    },
    {
      label: `filtered list page (${integer(Math.ceil(workflows / 40))} matches)`,
      example: `${PREFIX}/?campaign=${campaign}`,
      paths: [`${PREFIX}/?campaign=${encodeURIComponent(campaign)}`],
      listTarget: false,
      browser: true,
    },
    {
      label: `get_json (${integer(jsonPaths.length)} names in turn)`,
      example: `${PREFIX}/get_json/<name>`,
      paths: jsonPaths,
      listTarget: false,
      browser: false,
    },
    {
      label: `api/fetch (${PAGE_SIZE} full documents)`,
      example: `${PREFIX}/api/fetch?processing_string=${processingString}`,
      paths: [`${PREFIX}/api/fetch?processing_string=${encodeURIComponent(processingString)}`],
      listTarget: false,
      browser: false,
    },
  ];
}

export async function websiteBenchmark(context: BenchContext): Promise<ReportBody[]> {
  const { workflows, historyEntries, connections, durationSeconds } = context.scale.website;
  const couch = await openBenchCouch();
  let worker: WorkerProcess | undefined;
  try {
    const names = await couch.createDatabases('website');
    const now = Math.floor(Date.now() / 1000);
    context.log(`website: writing ${integer(workflows)} workflows`);
    const fill = await fillWorkflows(
      new WorkflowRepository(couch.server, names.requests),
      workflows,
      (i) => storedWorkflow(i, now, historyEntries),
    );
    worker = WorkerProcess.start('website/website-worker.js', {
      label: 'website',
      profileDir: context.profileDir,
      nodeFlags: deployedNodeFlags('stats2-web.service'),
    });
    const input: WebsiteWorkerInput = { reader: couch.reader, databases: names };
    const started = (await worker.ask<WebsiteStarted>('start', input)).value;
    context.log(`website: index ready after ${seconds(started.readyMs)} s`);
    const loadSpec = { connections, durationSeconds };
    const measured: Measured[] = [];
    for (const kind of requestKinds(workflows)) {
      const firstResponseMs = await timeFirstResponse(started.origin, kind.paths[0] as string);
      context.log(`website: ${kind.label}`);
      measured.push({
        ...(await underLoad(worker, started.origin, kind, loadSpec)),
        firstResponseMs,
      });
    }
    const listPath = `${PREFIX}/`;
    const controlOrigin = (await worker.ask<string>('serveCopy', listPath)).value;
    context.log('website: control (bare HTTP server, list page bytes)');
    const control = {
      label: 'control: bare Node HTTP server, the uncompressed list page as fixed bytes',
      example: listPath,
      paths: [listPath],
      listTarget: false,
      browser: false,
    };
    measured.push(await underLoad(worker, controlOrigin, control, loadSpec));
    const final = await worker.ask<WebsiteUsage>('usage');
    const setup =
      `${integer(workflows)} generated workflows (${historyEntries} history entries, 3 output datasets each) written with _bulk_docs ` +
      `in ${seconds(fill.seconds * 1000)} s (${integer(fill.documents / fill.seconds)} docs/s); the website in a child process (${describeFlags('stats2-web.service')}) read them into its index ` +
      `in ${seconds(started.readyMs)} s; autocannon (in the parent, same machine) at ${connections} connections for ${durationSeconds} s per request kind.`;
    return [report(setup, measured, final.value, final.maxRssMb)];
  } finally {
    await worker?.stop();
    await couch.close();
  }
}

/** Load on one kind of request, with what the worker spent meanwhile. */
async function underLoad(
  worker: WorkerProcess,
  origin: string,
  kind: RequestKind,
  spec: { connections: number; durationSeconds: number },
): Promise<Measured> {
  await worker.ask<WebsiteUsage>('usage');
  const load = await runLoad({
    origin,
    paths: kind.paths,
    ...spec,
    ...(kind.browser ? { headers: BROWSER_HEADERS } : {}),
  });
  const usage = (await worker.ask<WebsiteUsage>('usage')).value;
  return {
    kind,
    load,
    couchRequests: sum(usage.couchRequests),
    workerCpuPercent: usage.cpuMs / (spec.durationSeconds * 10),
  };
}

/** The first answer may wait for a view index build (pouchdb-server builds on first query). */
async function timeFirstResponse(origin: string, path: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${origin}${path}`);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return performance.now() - started;
}

function report(
  setup: string,
  measured: Measured[],
  usage: WebsiteUsage,
  maxRssMb: number,
): ReportBody {
  const table: Table = {
    columns: [
      'request',
      'path',
      'Accept-Encoding',
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
    rows: measured.map(({ kind, load, firstResponseMs, couchRequests, workerCpuPercent }) => [
      kind.label,
      `\`${kind.example}\``,
      kind.browser ? BROWSER_HEADERS['accept-encoding'] : '–',
      integer(load.requestsPerSecond),
      milliseconds(load.p50Ms),
      milliseconds(load.p99Ms),
      milliseconds(load.maxMs),
      integer(load.failures),
      integer(load.kilobytesPerResponse),
      (couchRequests / Math.max(1, load.requests)).toFixed(2),
      `${Math.round(workerCpuPercent)} % / ${Math.round(load.loadGeneratorCpuPercent)} %`,
      firstResponseMs === undefined ? '–' : milliseconds(firstResponseMs),
    ]),
  };
  const targets: TargetCheck[] = measured
    .filter(({ kind }) => kind.listTarget)
    .map(({ kind, load }) => ({
      what: `${kind.label} at 32 connections, asked as a browser asks (gzip accepted)`,
      target: `≥ ${LIST_TARGET.requestsPerSecond} req/s and p99 ≤ ${LIST_TARGET.p99Ms} ms`,
      measured: `${integer(load.requestsPerSecond)} req/s, p99 ${milliseconds(load.p99Ms)}, ${integer(load.failures)} failed`,
      met:
        load.requestsPerSecond >= LIST_TARGET.requestsPerSecond &&
        load.p99Ms <= LIST_TARGET.p99Ms &&
        load.failures === 0,
    }));
  const notes = [
    `Website memory after the runs: RSS ${megabytes(usage.rssMb)}, V8 heap used ${megabytes(usage.heapUsedMb)}, peak RSS ${megabytes(maxRssMb)}.`,
  ];
  return { id: 'website', title: 'Website', setup, tables: [table], targets, notes };
}
