/**
 * The website's composition root: an Express app over the workflow index, the reader
 * repositories and the (optional) updater. Routes are thin; the services they call live
 * in their own modules.
 */
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { SettingsRepository } from '../couch/settings.js';
import type { WorkflowRepository } from '../couch/workflows.js';
import type { Logger } from '../lib/logger.js';
import { errorBoundary, notFound } from './error-boundary.js';
import { staleData, UpdateRunsReader, type UpdateRuns } from './last-update.js';
import { PageSender } from './send-page.js';
import { createMetrics } from './metrics.js';
import { WorkflowBlocks } from './pages/block-cache.js';
import type { PageContext } from './pages/context.js';
import type { RateLimit } from './rate-limiter.js';
import { apiRoutes } from './routes/api.js';
import { operationsRoutes } from './routes/operations.js';
import { pageRoutes } from './routes/pages.js';
import { WorkflowDocuments } from './workflow-documents.js';
import type { WorkflowIndex } from './workflow-index.js';
import { WorkflowQueries } from './workflow-query.js';
import { WorkflowUpdates, type UpdateWorkflow } from './workflow-updates.js';

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
  tuning?: ServerTuning;
}

export interface ServerTuning {
  /** Per client address; default 5 at once, then one every 12 s. */
  updateRateLimit?: RateLimit;
  /** `/healthz` fails when the index has not caught up with the feed for this long (default 60 s). */
  maxIndexLagMs?: number;
  /** Names the cache of view answers may hold (default 2,000,000). */
  cachedViewNames?: number;
  /** How often the settings' record of update runs is read again (default 10 s). */
  lastUpdateMaxAgeMs?: number;
  /** Memory for rendered workflow blocks of recently shown workflows (default 32 MB). */
  blockCacheBytes?: number;
  /** Memory for compressed pages, each kept for the second it was rendered in (default 16 MB). */
  pageCacheBytes?: number;
}

const STATIC_DIR = fileURLToPath(new URL('./static', import.meta.url));

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

export function createServer(deps: ServerDependencies): Express {
  const { prefix, index, workflows, logger } = deps;
  const tuning = deps.tuning ?? {};
  const queries = new WorkflowQueries({ index, workflows, cachedNames: tuning.cachedViewNames });
  const documents = new WorkflowDocuments(workflows, queries);
  const updates = new WorkflowUpdates({
    token: deps.updateToken,
    updateWorkflow: deps.updateWorkflow,
    rateLimit: tuning.updateRateLimit,
  });
  const updateRuns = new UpdateRunsReader(deps.settings, logger, tuning.lastUpdateMaxAgeMs);
  const metrics = createMetrics(index, updateRuns);
  const blocks = new WorkflowBlocks(prefix, tuning.blockCacheBytes ?? 32_000_000);
  const pages = new PageSender(tuning.pageCacheBytes ?? 16_000_000);
  const context = (runs: UpdateRuns, search?: string): PageContext => ({
    prefix,
    totalWorkflows: index.size,
    lastUpdateRun: runs.lastUpdate,
    lastRun: runs.lastRun,
    runsKnown: runs.known,
    stale: staleData(index),
    search,
  });

  const app = express();
  app.disable('x-powered-by');
  // Pages change every second ("3s ago"): hashing each body for an ETag would be wasted work.
  app.set('etag', false);
  // Behind a reverse proxy on the same host, rate limits must see the visitor's address.
  app.set('trust proxy', 'loopback');
  app.use(helmet({ contentSecurityPolicy: CONTENT_SECURITY_POLICY }));
  app.use(metrics.observe);
  if (logger.isLevelEnabled('debug')) {
    app.use((req, res, next) => {
      const started = Date.now();
      res.once('finish', () =>
        logger.debug(
          {
            method: req.method,
            url: req.originalUrl,
            status: res.statusCode,
            ms: Date.now() - started,
          },
          'request',
        ),
      );
      next();
    });
  }
  app.use(
    metrics.mountPoint,
    operationsRoutes({ index, workflows, metrics, maxIndexLagMs: tuning.maxIndexLagMs ?? 60_000 }),
  );
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
    apiRoutes({ prefix, index, queries, documents, updates }),
  );
  app.use(
    prefix || '/',
    metrics.mountPoint,
    pageRoutes({
      prefix,
      index,
      queries,
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
