/**
 * What building the dashboards' snapshot costs the website's memory: the website's index
 * read from a database of workflows (with this version's dashboards design document
 * deployed, e.g. a benchmark's kept database), then the view read and the snapshot built
 * twice; for each, the time, the V8 heap and RSS before it, their peak while it runs
 * (sampled every 20 ms), and the heap still used after a garbage collection, the snapshot
 * held. Run with the website unit's Node flags to see what the service would see:
 *
 *   COUCHDB_URL=http://admin:pw@host:5984 node --max-old-space-size=192 --max-semi-space-size=4 \
 *     build/bench/dashboards/snapshot-memory.js --database bench_kept_website200000x10r2_requests
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect } from '../../couch/connection.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { buildSnapshot } from '../../server/read-model/dashboard-snapshot.js';
import { readDashboardViews } from '../../server/read-model/dashboard-views.js';
import { WorkflowIndex } from '../../server/read-model/workflow-index.js';
import { couchWorkflowSource } from '../../server/read-model/workflow-source.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const MB = 2 ** 20;

interface Peak {
  rss: number;
  heapUsed: number;
}

async function measured<T>(label: string, work: () => Promise<T>): Promise<T> {
  collectGarbage();
  const before = process.memoryUsage();
  const peak: Peak = { rss: before.rss, heapUsed: before.heapUsed };
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
  }, 20);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  clearInterval(sampler);
  collectGarbage();
  const after = process.memoryUsage();
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  console.log(
    `${label}: ${Math.round(ms)} ms; heap ${mb(before.heapUsed)} MB → peak ${mb(peak.heapUsed)} → ${mb(after.heapUsed)} MB after GC; ` +
      `RSS ${mb(before.rss)} → peak ${mb(peak.rss)} → ${mb(after.rss)} MB`,
  );
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { database: { type: 'string' } } });
  const config = loadConfig(process.env).couch;
  if (config.url === undefined) throw new Error('COUCHDB_URL names the CouchDB to read');
  if (values.database === undefined) throw new Error('--database names the workflows database');
  const url = config.readerUrl ?? config.url;
  const workflows = new WorkflowRepository(
    connect({ url, authHeader: config.authHeader }),
    values.database,
  );
  const index = new WorkflowIndex({
    source: couchWorkflowSource(workflows, url),
    logger: createLogger({ level: 'error', name: 'snapshot-memory' }),
    pollIntervalMs: 60_000,
  });
  await measured('index read', async () => {
    void index.start();
    await index.whenReady();
  });
  console.log(`${index.size.toLocaleString('en-US')} workflows in the index`);
  const held = [];
  for (const round of [1, 2]) {
    const views = await measured(`view read ${round}`, () => readDashboardViews(workflows));
    console.log(`${views.running.length.toLocaleString('en-US')} running workflows in the view`);
    held.push(await measured(`snapshot ${round}`, () => buildSnapshot(index, async () => views)));
  }
  await index.stop();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
