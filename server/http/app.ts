/**
 * The website's Express app over the workflow index, the reader repositories and the
 * (optional) updater, which compose.ts builds. Routes are thin; the services they call
 * live in their own modules.
 */
import type { RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { SettingsRepository } from '../../couch/settings.js';
import type { Clock } from '../../lib/clock.js';
import type { WorkflowRepository } from '../../couch/workflows.js';
import type { Logger } from '../../lib/logger.js';
import { errorBoundary, notFound } from './error-boundary.js';
import type { HealthCheck } from './health.js';
import { staleData, type UpdateRuns, type UpdateRunsReader } from '../read-model/last-update.js';
import type { SameSecondAnswers } from './same-second-answers.js';
import type { PageSender } from './send-page.js';
import type { WebsiteMetrics } from './metrics.js';
import type { WorkflowBlocks } from '../render/pages/block-cache.js';
import type { PageContext } from '../render/pages/context.js';
import type { RateLimit } from './rate-limiter.js';
import type { DashboardCache } from './dashboard-cache.js';
import type { DashboardAnswerCache } from '../read-model/dashboard-answer-cache.js';
import { apiRoutes } from './routes/api.js';
import { dashboardRoutes } from './routes/dashboards.js';
import { operationsRoutes } from './routes/operations.js';
import { pageRoutes } from './routes/pages.js';
import type { WorkflowDocuments } from '../read-model/workflow-documents.js';
import type { WorkflowIndex } from '../read-model/workflow-index.js';
import type { WorkflowQueries } from '../read-model/workflow-query.js';
import type { WorkflowSearch } from '../read-model/workflow-search.js';
import type { UpdateWorkflow, WorkflowUpdates } from './workflow-updates.js';

/** What compose-website.ts builds the app's services from. */
export interface ServerDependencies {
  /** URL path prefix of every page and API route ("" for the root); `/healthz` and `/metrics` stay at the root. */
  prefix: string;
  /** Bearer token that allows `POST api/update`; undefined turns the endpoint off (404). */
  updateToken: string | undefined;
  /** The requests database, opened with the reader (no write credentials). */
  workflows: WorkflowRepository;
  /** The settings database, opened with the reader. */
  settings: SettingsRepository;
  index: WorkflowIndex;
  logger: Logger;
  /** The updater's one-workflow update. Without it `api/update` answers 503. */
  updateWorkflow?: UpdateWorkflow;
  /** Express "trust proxy": whose X-Forwarded-For names the client (none when undefined). */
  trustProxy?: string | number;
  /** What "now" is for what pages show relative to it (default: the system clock). */
  clock?: Clock;
  tuning?: ServerTuning;
}

/** Where the website's memory goes: the index's buffers and each cache, in bytes. */
export interface MemoryUse {
  workflows: number;
  index: ReturnType<WorkflowIndex['workflows']['memoryUse']>;
  blockCache: { bytes: number; maxBytes: number };
  pageCache: { bytes: number; maxBytes: number };
  documentCache: { bytes: number; maxBytes: number };
  dashboardAnswers: { bytes: number; maxBytes: number };
}

export interface ServerTuning {
  /** Updates with the token; default 5 at once, then one every 12 s. */
  updateRateLimit?: RateLimit;
  /** Update requests without the token, per client address; default 5 at once, then one every 12 s. */
  failedUpdateRateLimit?: RateLimit;
  /** `/healthz` fails when the index has not caught up with the feed for this long (default 60 s). */
  maxIndexLagMs?: number;
  /** Names the cache of filter answers may hold (default 500,000). */
  cachedFilterNames?: number;
  /** Memory for documents kept for get_json and workflow pages (default 16 MB). */
  documentCacheBytes?: number;
  /** How often the settings' record of update runs is read again (default 10 s). */
  lastUpdateMaxAgeMs?: number;
  /** Memory for rendered workflow blocks of recently shown workflows (default 16 MB). */
  blockCacheBytes?: number;
  /** Memory for compressed pages, each kept for the second it was rendered in (default 8 MB). */
  pageCacheBytes?: number;
  /** Memory for pages replayed to identical requests in the second they were sent in (default 4 MB). */
  sameSecondBytes?: number;
  /** Memory for dashboard pages, JSON and CSV answers, each kept for the minute it counts up to (default 16 MB). */
  dashboardAnswerBytes?: number;
  /** The campaign dashboards answer from a snapshot outdated by a change for at most this long while a new one is built (default 10 min; 0: always wait for the new one). */
  dashboardMaxStaleMs?: number;
  /** How long a dashboard request waits for a snapshot being built before a 503 (default 20 s). */
  dashboardMaxWaitMs?: number;
}

const STATIC_DIR = fileURLToPath(new URL('../static', import.meta.url));

const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

/** What the app serves from: the read model's services and caches, built in compose-website.ts. */
export interface WebsiteServices {
  prefix: string;
  index: WorkflowIndex;
  logger: Logger;
  trustProxy?: string | number;
  queries: WorkflowQueries;
  search: WorkflowSearch;
  documents: WorkflowDocuments;
  updates: WorkflowUpdates;
  health: HealthCheck;
  updateRuns: UpdateRunsReader;
  metrics: WebsiteMetrics;
  blocks: WorkflowBlocks;
  pages: PageSender;
  dashboards: DashboardCache;
  dashboardAnswers: DashboardAnswerCache;
  clock: Clock;
}

export function createServer(services: WebsiteServices): Express {
  const { prefix, index, logger, queries, search, documents, updates, health } = services;
  const { updateRuns, metrics, blocks, pages, dashboards, dashboardAnswers, clock } = services;
  const context = (runs: UpdateRuns, search?: string): PageContext => ({
    prefix,
    totalWorkflows: index.size,
    lastUpdateRun: runs.lastUpdate,
    lastRun: runs.lastRun,
    runsKnown: runs.known,
    // The database's silence is measured on the system clock and shown on the page's.
    stale: staleData(index, clock()),
    search,
  });

  const app = express();
  app.disable('x-powered-by');
  // Pages change every second ("3s ago"): hashing each body for an ETag would be wasted work.
  app.set('etag', false);
  // X-Forwarded-For is believed only from proxies the operator named (STATS_TRUST_PROXY):
  // anyone else could write any address there and so escape the per-client rate limit.
  app.set('trust proxy', services.trustProxy ?? false);
  app.use(helmet({ contentSecurityPolicy: CONTENT_SECURITY_POLICY }));
  app.use(metrics.observe);
  app.use(metrics.mountPoint, operationsRoutes({ health, metrics }));
  // The site lives under the prefix: its bare root leads there.
  if (prefix) app.get('/', (_req, res) => res.redirect(302, `${prefix}/`));
  app.use(
    `${prefix}/static`,
    metrics.label(`${prefix}/static/:file`),
    express.static(STATIC_DIR, { index: false, maxAge: '1h', fallthrough: true }),
  );
  app.use(
    prefix || '/',
    metrics.mountPoint,
    dashboardRoutes({
      index,
      dashboards,
      answers: dashboardAnswers,
      pages,
      clock,
      pageContext: async () => context(await updateRuns.current()),
    }),
  );
  app.use(
    prefix || '/',
    metrics.mountPoint,
    apiRoutes({ prefix, index, queries, search, documents, updates }),
  );
  app.use(
    prefix || '/',
    metrics.mountPoint,
    pageRoutes({
      prefix,
      index,
      queries,
      search,
      documents,
      blocks,
      pages,
      pageContext: async (search) => context(await updateRuns.current(), search),
    }),
  );
  app.use(notFound(prefix));
  app.use(errorBoundary({ logger, pages, pageContext: () => context(updateRuns.known) }));
  return app;
}

/**
 * The HTTP server's listener: a page already answered in this second is replayed, anything
 * else goes to Express. At debug level every request is logged, replayed or not.
 */
export function websiteListener(
  app: Express,
  answers: SameSecondAnswers,
  logger: Logger,
): RequestListener {
  const answer: RequestListener = (req, res) => {
    if (!answers.replay(req, res)) app(req, res);
  };
  if (!logger.isLevelEnabled('debug')) return answer;
  return (req, res) => {
    const started = Date.now();
    const url = req.url;
    res.once('finish', () =>
      logger.debug(
        { method: req.method, url, status: res.statusCode, ms: Date.now() - started },
        'request',
      ),
    );
    answer(req, res);
  };
}
