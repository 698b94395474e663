/** What operators and monitoring read: `/healthz` and `/metrics`, outside the path prefix. */
import { Router } from 'express';
import { answersJson } from '../error-boundary.js';
import type { HealthCheck } from '../health.js';
import type { WebsiteMetrics } from '../metrics.js';

export interface OperationsRoutesOptions {
  health: HealthCheck;
  metrics: WebsiteMetrics;
}

export function operationsRoutes(options: OperationsRoutesOptions): Router {
  const router = Router();

  router.get('/healthz', answersJson, async (_req, res) => {
    const report = await options.health.report();
    res
      .status(report.status === 'ok' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  router.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  return router;
}
