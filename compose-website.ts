/**
 * The website's part of the composition root (compose.ts loads it when a website is
 * started, so the update and verify commands never load the web stack): the reader's
 * repositories, the workflow index over the database's feed, the read model's services
 * and caches, the Express app over them, listening.
 */
import { openRepositories } from './couch/open-databases.js';
import { systemClock } from './lib/clock.js';
import { createServer, websiteListener, type ServerDependencies } from './server/http/app.js';
import { DashboardCache } from './server/http/dashboard-cache.js';
import { HealthCheck } from './server/http/health.js';
import { createMetrics } from './server/http/metrics.js';
import { SameSecondAnswers } from './server/http/same-second-answers.js';
import { PageSender } from './server/http/send-page.js';
import {
  serveWebsite,
  type ComposedWebsite,
  type RunningWebsite,
  type WebsiteOptions,
} from './server/http/website.js';
import { WorkflowUpdates } from './server/http/workflow-updates.js';
import { weighDashboardAnswer } from './server/http/routes/dashboards.js';
import { DashboardAnswerCache } from './server/read-model/dashboard-answer-cache.js';
import { buildSnapshot } from './server/read-model/dashboard-snapshot.js';
import { readDashboardViews } from './server/read-model/dashboard-views.js';
import { staleData, UpdateRunsReader } from './server/read-model/last-update.js';
import { WorkflowDocuments } from './server/read-model/workflow-documents.js';
import { WorkflowIndex } from './server/read-model/workflow-index.js';
import { WorkflowQueries } from './server/read-model/workflow-query.js';
import { WorkflowSearch } from './server/read-model/workflow-search.js';
import { couchWorkflowSource } from './server/read-model/workflow-source.js';
import { WorkflowBlocks } from './server/render/pages/block-cache.js';

export async function startWebsite(options: WebsiteOptions): Promise<RunningWebsite> {
  const { workflows, settings } = openRepositories(options.reader, options.databases);
  const index = new WorkflowIndex({
    source: couchWorkflowSource(workflows, options.couchName ?? options.reader.url),
    logger: options.logger.child({ module: 'workflow-index' }),
    pollIntervalMs: options.pollIntervalMs,
    snapshotDir: options.snapshotDir,
    snapshotIntervalMs: options.snapshotIntervalMs,
  });
  const website = composeWebsite({
    prefix: options.prefix,
    updateToken: options.updateToken,
    workflows,
    settings,
    index,
    logger: options.logger,
    updateWorkflow: options.updateWorkflow,
    trustProxy: options.trustProxy,
    clock: options.clock,
    tuning: options.tuning,
  });
  return serveWebsite(website, index, options);
}

/** The website over `deps.index` with every service and cache it answers from. */
export function composeWebsite(deps: ServerDependencies): ComposedWebsite {
  const { prefix, index, workflows, logger } = deps;
  const tuning = deps.tuning ?? {};
  const clock = deps.clock ?? systemClock;
  const cacheBytes = {
    documents: tuning.documentCacheBytes ?? 16_000_000,
    blocks: tuning.blockCacheBytes ?? 16_000_000,
    pages: tuning.pageCacheBytes ?? 8_000_000,
    sameSecond: tuning.sameSecondBytes ?? 4_000_000,
    dashboardAnswers: tuning.dashboardAnswerBytes ?? 16_000_000,
  };
  const queries = new WorkflowQueries({ index, cachedNames: tuning.cachedFilterNames });
  const search = new WorkflowSearch(index, queries);
  const documents = new WorkflowDocuments({
    workflows,
    queries,
    index,
    cacheBytes: cacheBytes.documents,
  });
  const updates = new WorkflowUpdates({
    token: deps.updateToken,
    updateWorkflow: deps.updateWorkflow,
    rateLimit: tuning.updateRateLimit,
    failureRateLimit: tuning.failedUpdateRateLimit,
  });
  const health = new HealthCheck({
    index,
    workflows,
    logger,
    maxLagMs: tuning.maxIndexLagMs ?? 60_000,
  });
  const updateRuns = new UpdateRunsReader(deps.settings, logger, tuning.lastUpdateMaxAgeMs);
  const metrics = createMetrics(index, updateRuns);
  const blocks = new WorkflowBlocks(prefix, cacheBytes.blocks);
  const dashboards = new DashboardCache({
    version: () => index.version,
    build: () => buildSnapshot(index, () => readDashboardViews(workflows), clock),
    logger: logger.child({ module: 'dashboards' }),
    maxStaleMs: tuning.dashboardMaxStaleMs ?? 600_000,
    maxWaitMs: tuning.dashboardMaxWaitMs ?? 20_000,
  });
  const dashboardAnswers = new DashboardAnswerCache(
    cacheBytes.dashboardAnswers,
    weighDashboardAnswer,
  );
  // What a page shows: the index, the update runs, whether the data may be stale, and the
  // dashboards' snapshot (built after the index moves).
  const answers = new SameSecondAnswers({
    dataVersion: () => {
      const stale = staleData(index);
      const staleness = stale === undefined ? 'current' : `stale since ${stale.since}`;
      return `${index.version} ${updateRuns.version} ${dashboards.builtFrom} ${staleness}`;
    },
    maxBytes: cacheBytes.sameSecond,
    now: clock,
    onReplay: (route, seconds) => metrics.record(route, 'GET', 200, seconds),
  });
  const pages = new PageSender(
    cacheBytes.pages,
    (req, res, body) => answers.keep(req, res, body, metrics.routeOf(req, res)),
    clock,
  );
  const app = createServer({
    prefix,
    index,
    logger,
    trustProxy: deps.trustProxy,
    queries,
    search,
    documents,
    updates,
    health,
    updateRuns,
    metrics,
    blocks,
    pages,
    dashboards,
    dashboardAnswers,
    clock,
  });
  return {
    listener: websiteListener(app, answers, logger),
    memoryUse: () => ({
      workflows: index.size,
      index: index.workflows.memoryUse(),
      blockCache: { bytes: blocks.bytes, maxBytes: cacheBytes.blocks },
      pageCache: { bytes: pages.bytes, maxBytes: cacheBytes.pages },
      documentCache: { bytes: documents.cachedBytes, maxBytes: cacheBytes.documents },
      dashboardAnswers: { bytes: dashboardAnswers.bytes, maxBytes: cacheBytes.dashboardAnswers },
    }),
  };
}
