/**
 * Child process of the update and memory benchmarks: one update run (updater/run.ts) on
 * the configuration its parent hands over (the simulator's URLs and certificates, the
 * CouchDB and its databases, the upstream concurrency), timed, with its CouchDB requests
 * counted, its wall time split by what was in flight, and its memory sampled.
 */
import { composeUpdater } from '../../compose.js';
import { openRepositories } from '../../couch/open-databases.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { runUpdate } from '../../updater/run.js';
import { sum } from '../report/format.js';
import { ActivityClock } from '../support/activity-clock.js';
import { HttpTraffic } from '../support/http-traffic.js';
import { MemorySampler, type MemorySample } from '../support/memory-sampler.js';
import { answerParent } from '../support/worker-side.js';

export interface UpdateWorkerInput {
  /** Environment for loadConfig: simulator, CouchDB, databases, concurrency. */
  env: Record<string, string>;
  /** The run's clock (Unix seconds of simulated time). */
  now: number;
  /** Milliseconds between memory samples. */
  memorySampleMs: number;
}

export interface UpdateWorkerResult {
  wallMs: number;
  summary: {
    changed: number;
    unchanged: number;
    deleted: number;
    recalculated: number;
    historyEntriesAdded: number;
    failed: number;
    complete: boolean;
    durations: Record<string, number>;
  };
  couchRequests: Record<string, number>;
  /** Milliseconds on the wire per kind of CouchDB request. */
  couchMs: Record<string, number>;
  /** Milliseconds with upstream calls, CouchDB requests, both or neither in flight. */
  activityMs: Record<string, number>;
  /** Mean number of upstream calls in flight while there was any. */
  meanUpstreamInFlight: number;
  /** Mean time of an upstream call on the wire, from the request's start to the end of its answer. */
  meanUpstreamCallMs: number;
  /** `progress` is the number of `_changes` rows handled so far. */
  memory: MemorySample[];
}

async function runOnce(input: UpdateWorkerInput): Promise<UpdateWorkerResult> {
  const config = loadConfig(input.env);
  const logger = createLogger({ level: 'error', name: 'bench-updater' });
  const couchUrl = config.couch.url as string;
  const clock = new ActivityClock();
  const couchTraffic = new HttpTraffic([couchUrl], 'couch', clock);
  const upstreamTraffic = new HttpTraffic(
    [config.upstream.cmswebUrl, config.upstream.cmswebProdUrl],
    'upstream',
    clock,
  );
  const repositories = openRepositories(
    { url: couchUrl, authHeader: config.couch.authHeader },
    { requests: config.couch.requestsDb, settings: config.couch.settingsDb },
  );
  const updater = await composeUpdater(config, { repositories, logger });
  let feedRows = 0;
  const sampler = new MemorySampler(input.memorySampleMs, () => feedRows);
  clock.reset();
  const started = performance.now();
  try {
    const summary = await runUpdate(updater.deps, {
      // As the CLI runs it: the configured page and batch sizes (their defaults unless the parent sets them).
      pageSize: config.updater.pageSize,
      batchSize: config.updater.batchSize,
      now: () => input.now,
      onProgress: (progress) => {
        if (progress.phase === 'changes') feedRows = progress.done;
      },
    });
    const wallMs = performance.now() - started;
    return {
      wallMs,
      summary: {
        changed: summary.changed,
        unchanged: summary.unchanged,
        deleted: summary.deleted,
        recalculated: summary.recalculated,
        historyEntriesAdded: summary.historyEntriesAdded,
        failed: summary.failed.length,
        complete: summary.complete,
        durations: summary.durations,
      },
      couchRequests: couchTraffic.snapshot(),
      couchMs: couchTraffic.durations(),
      activityMs: clock.totals(),
      meanUpstreamInFlight: clock.meanOutstanding('upstream'),
      meanUpstreamCallMs:
        sum(upstreamTraffic.durations()) / Math.max(1, sum(upstreamTraffic.snapshot())),
      memory: sampler.stop(),
    };
  } finally {
    sampler.stop();
    couchTraffic.close();
    upstreamTraffic.close();
    await updater.close();
  }
}

answerParent({ run: runOnce });
