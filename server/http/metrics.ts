/**
 * Prometheus metrics of the website (`/metrics`): requests and their durations by
 * route, the workflow index's size, readiness and lag behind the database, and the
 * summary of the last update run as the settings record it.
 * Each server has its own registry, so several can run in one process (tests).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LastRun, UpdateRunsReader } from '../read-model/last-update.js';
import type { WorkflowIndex } from '../read-model/workflow-index.js';

export interface WebsiteMetrics {
  registry: Registry;
  /** Middleware that counts and times every request. */
  observe(req: Request, res: Response, next: NextFunction): void;
  /**
   * Middleware for where a router is mounted: its routes are labelled with the mount path
   * even when the answer is sent later, outside the router (errors, 404s).
   */
  mountPoint(req: Request, res: Response, next: NextFunction): void;
  /** Middleware that gives every request it sees one label (static files: no route of their own). */
  label(route: string): RequestHandler;
  /** The route label of an answered request. */
  routeOf(req: Request, res: Response): string;
  /** Counts and times a request answered outside Express (a replayed page). */
  record(route: string, method: string, status: number, seconds: number): void;
}

/** The last run's gauges: name, help, value. All are 0 until a run has been recorded. */
const LAST_RUN_GAUGES: ReadonlyArray<[string, string, (run: LastRun) => number]> = [
  [
    'stats2_last_run_timestamp_seconds',
    'Unix time the last update run finished',
    (run) => run.finishedAt,
  ],
  [
    'stats2_last_run_duration_seconds',
    'How long the last update run took',
    (run) => run.durationSeconds,
  ],
  ['stats2_last_run_changed', 'Workflow documents the last update run wrote', (run) => run.changed],
  [
    'stats2_last_run_failed',
    'Workflows on the failed list after the last update run',
    (run) => run.failed,
  ],
  [
    'stats2_last_run_history_entries_added',
    'History entries the last update run added',
    (run) => run.historyEntriesAdded,
  ],
  [
    'stats2_last_run_complete',
    '1 when the last update run completed every run-level step',
    (run) => (run.complete ? 1 : 0),
  ],
];

export function createMetrics(index: WorkflowIndex, updateRuns: UpdateRunsReader): WebsiteMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'stats2_http_requests_total',
    help: 'HTTP requests answered, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'stats2_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'stats2_index_workflows',
    help: 'Workflows held by the website index',
    registers: [registry],
    collect() {
      this.set(index.size);
    },
  });
  new Gauge({
    name: 'stats2_index_ready',
    help: '1 once the website index has read the whole database',
    registers: [registry],
    collect() {
      this.set(index.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'stats2_index_lag_seconds',
    help: 'Seconds since the website index last caught up with the changes feed',
    registers: [registry],
    collect() {
      const lagMs = index.status().lagMs;
      if (lagMs !== undefined) this.set(lagMs / 1000);
    },
  });
  for (const [name, help, valueOf] of LAST_RUN_GAUGES) {
    new Gauge({
      name,
      help: `${help} (0 until a run has been recorded)`,
      registers: [registry],
      async collect() {
        const { lastRun } = await updateRuns.current();
        this.set(lastRun === undefined ? 0 : valueOf(lastRun));
      },
    });
  }

  const record = (route: string, method: string, status: number, seconds: number): void => {
    requests.inc({ route, method, status: String(status) });
    durations.observe({ route, method }, seconds);
  };
  return {
    registry,
    observe(req, res, next) {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        record(routeOf(req, res), req.method, res.statusCode, seconds);
      });
      next();
    },
    routeOf,
    record,
    mountPoint(req, res, next) {
      res.locals.routeBase = req.baseUrl;
      next();
    },
    label: (route) => (_req, res, next) => {
      res.locals.route = route;
      next();
    },
  };
}

/**
 * The route template (never the raw path, which would make one series per URL): one label
 * per template, whether the route answered or an error did; `unmatched` for unknown paths.
 */
function routeOf(req: Request, res: Response): string {
  if (typeof res.locals.route === 'string') return res.locals.route;
  const pattern = req.route?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  const base = typeof res.locals.routeBase === 'string' ? res.locals.routeBase : req.baseUrl;
  return `${base}${pattern}`;
}
