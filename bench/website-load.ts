/**
 * Load check of the website, run by hand (not a test):
 *
 *   npm run build && node build/bench/website-load.js --docs 20000 [--connections 32] [--workers 2] [--duration 10]
 *       [--paths /stats/,/stats/100,/stats/last,random] [--history 10] [--dir /tmp/stats2-bench-website]
 *       [--node-options=--max-old-space-size=384]
 *
 * Writes `--docs` synthetic workflows (each with `--history` history entries over three
 * output datasets) into a database of the embedded CouchDB kept under `--dir` (or of
 * COUCHDB_URL when set), unless it already holds them; starts the website (`main.js`) as
 * a child process; waits until its index has read everything; then runs autocannon on
 * each path (`last` means the last page, `random` a random page per request, which
 * defeats the website's cache of rendered blocks) and prints requests/s, latencies, the
 * website's CPU time per request and its memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startEmbeddedCouch } from '../couch/embedded.js';
import { connect } from '../couch/connection.js';
import { setupDatabases } from '../couch/setup.js';
import { loadConfig } from '../lib/config.js';
import { syntheticWorkflow } from './synthetic-workflows.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BATCH = 2000;

const { values: options } = parseArgs({
  options: {
    docs: { type: 'string', default: '20000' },
    history: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    paths: { type: 'string', default: '/stats/,/stats/100,/stats/last,random' },
    dir: { type: 'string', default: '/tmp/stats2-bench-website' },
    db: { type: 'string', default: '' },
    'node-options': { type: 'string', default: '' },
  },
});

const docCount = Number(options.docs);
const historyLength = Number(options.history);
const requestsDb = options.db || `bench_website_${docCount}_requests`;
const settingsDb = requestsDb.replace(/_requests$/, '') + '_settings';

interface Target {
  url: string;
  adminUrl: string;
  authHeader: string | undefined;
  stop(): Promise<void>;
}

async function couchTarget(): Promise<Target> {
  const config = loadConfig(process.env).couch;
  if (config.url !== undefined) {
    const raw = process.env.COUCHDB_URL ?? process.env.DB_URL ?? config.url;
    return { url: config.url, adminUrl: raw, authHeader: config.authHeader, stop: async () => {} };
  }
  const embedded = await startEmbeddedCouch({ dir: options.dir, inMemory: false });
  return {
    url: embedded.url,
    adminUrl: embedded.adminUrl,
    authHeader: embedded.authHeader,
    stop: embedded.stop,
  };
}

async function couchRequest(
  target: Target,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${target.url}${urlPath}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(target.authHeader ? { authorization: target.authHeader } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${urlPath}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function fill(target: Target): Promise<void> {
  await setupDatabases(connect({ url: target.url, authHeader: target.authHeader }), {
    requests: requestsDb,
    settings: settingsDb,
  });
  const info = (await couchRequest(target, 'GET', `/${requestsDb}`)) as { doc_count: number };
  const existing = info.doc_count - 2; // the two design documents
  if (existing >= docCount) {
    console.log(`${requestsDb} already holds ${existing} workflows`);
    return;
  }
  const started = Date.now();
  const now = Math.floor(Date.now() / 1000);
  for (let from = Math.max(0, existing); from < docCount; from += BATCH * 2) {
    const batches = [from, from + BATCH]
      .filter((start) => start < docCount)
      .map((start) => {
        const docs = [];
        for (let i = start; i < Math.min(docCount, start + BATCH); i++)
          docs.push(syntheticWorkflow(i, now, historyLength));
        return couchRequest(target, 'POST', `/${requestsDb}/_bulk_docs`, { docs });
      });
    await Promise.all(batches);
    process.stdout.write(`\rwritten ${Math.min(docCount, from + BATCH * 2)} of ${docCount}`);
  }
  console.log(
    `\nwrote ${docCount - existing} workflows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function startWebsiteProcess(
  target: Target,
): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, [path.join(HERE, '..', 'main.js'), '--port', '0'], {
    env: {
      PATH: process.env.PATH ?? '',
      COUCHDB_URL: target.adminUrl,
      REQUESTS_DB: requestsDb,
      SETTINGS_DB: settingsDb,
      LOG_LEVEL: 'warn',
      ...(options['node-options'] ? { NODE_OPTIONS: options['node-options'] } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  const origin = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      const match = /at (http:\/\/[^/\s]+)\//.exec(output);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`main.js exited with ${code}: ${output}`)));
  });
  return { child, origin };
}

async function waitUntilReady(origin: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await fetch(`${origin}/healthz`).catch(() => undefined);
    if (response?.ok) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The website's memory as its /metrics report it: resident set and V8 heap in use, in MB. */
async function memory(origin: string): Promise<string> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const megabytes = (metric: string) => {
    const match = new RegExp(`^${metric} ([0-9.e+]+)$`, 'm').exec(text);
    return match ? Math.round(Number(match[1]) / 1e6) : NaN;
  };
  return `RSS ${megabytes('process_resident_memory_bytes')} MB, heap used ${megabytes('nodejs_heap_size_used_bytes')} MB`;
}

interface ServerReading {
  /** Requests answered so far by upper bound of duration (cumulative), summed over routes. */
  buckets: Map<number, number>;
  cpuSeconds: number;
}

async function serverReading(origin: string): Promise<ServerReading> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const cpuSeconds = Number(/^process_cpu_seconds_total ([0-9.e+]+)$/m.exec(text)?.[1] ?? NaN);
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(
    /^stats2_http_request_duration_seconds_bucket\{le="([^"]+)",route="[^"]*",method="GET"\} (\d+)$/gm,
  )) {
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return { buckets, cpuSeconds };
}

/** The smallest bucket bound under which `share` of the requests between two readings were answered. */
function serverPercentile(
  before: Map<number, number>,
  after: Map<number, number>,
  share: number,
): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const bound = bounds.find((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0) >= share * total);
  return bound === undefined || bound === Infinity ? '> 10 s' : `≤ ${bound * 1000} ms`;
}

interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  throughput: { average: number };
  errors: number;
  non2xx: number;
}

/**
 * autocannon (its command line) on one path, with `--workers` threads: one thread alone
 * cannot take in half a gigabyte of pages a second and becomes what is measured.
 */
async function autocannon(url: string): Promise<LoadResult> {
  const args = [
    '-c',
    options.connections,
    '-d',
    options.duration,
    '-w',
    options.workers,
    '-j',
    url,
  ];
  const child = spawn(path.join(HERE, '..', '..', 'node_modules', '.bin', 'autocannon'), args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let json = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (json += chunk));
  await once(child, 'exit');
  return JSON.parse(json) as LoadResult;
}

/**
 * A random page of `pages` for every request, from `--connections` clients in a closed
 * loop (autocannon's command line cannot vary the path). Random pages defeat the
 * website's cache of rendered blocks: this measures rendering itself.
 */
async function randomPages(origin: string, pages: number): Promise<LoadResult> {
  const connections = Number(options.connections);
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  let non2xx = 0;
  const deadline = Date.now() + Number(options.duration) * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      try {
        const response = await pool.request({
          path: `/stats/${Math.floor(Math.random() * pages)}`,
          method: 'GET',
        });
        for await (const chunk of response.body) bytes += (chunk as Buffer).length;
        if (response.statusCode !== 200) non2xx++;
        latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    Math.round(
      latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] ?? NaN,
    );
  const seconds = Number(options.duration);
  return {
    requests: { average: latencies.length / seconds },
    latency: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
    throughput: { average: bytes / seconds },
    errors,
    non2xx,
  };
}

const target = await couchTarget();
let website: ChildProcess | undefined;
try {
  await fill(target);
  const started = await startWebsiteProcess(target);
  website = started.child;
  const loadMs = await waitUntilReady(started.origin);
  console.log(
    `website ready after ${(loadMs / 1000).toFixed(1)} s (index read ${docCount} workflows); ${await memory(started.origin)}`,
  );
  const lastPage = Math.floor((docCount - 1) / 100);
  for (const pagePath of options.paths.split(',')) {
    const before = await serverReading(started.origin);
    const result =
      pagePath === 'random'
        ? await randomPages(started.origin, lastPage + 1)
        : await autocannon(`${started.origin}${pagePath.replace(/last$/, String(lastPage))}`);
    const after = await serverReading(started.origin);
    const answered = (after.buckets.get(Infinity) ?? 0) - (before.buckets.get(Infinity) ?? 0);
    const cpuMsPerRequest = ((after.cpuSeconds - before.cpuSeconds) * 1000) / answered;
    console.log(
      `${pagePath.padEnd(24)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p90 ${result.latency.p90} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms  ` +
        `${(result.throughput.average / 1e6).toFixed(1)} MB/s  errors ${result.errors}  non-2xx ${result.non2xx}  ` +
        `(website: ${cpuMsPerRequest.toFixed(2)} ms CPU per request, answered in p50 ${serverPercentile(before.buckets, after.buckets, 0.5)}, p99 ${serverPercentile(before.buckets, after.buckets, 0.99)})`,
    );
  }
  console.log(`website after the runs: ${await memory(started.origin)}`);
} finally {
  website?.kill('SIGTERM');
  if (website) await once(website, 'exit');
  await target.stop();
}
