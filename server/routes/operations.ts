/** What operators and monitoring read: `/healthz` and `/metrics`, outside the path prefix. */
import { Router } from 'express';
import type { WorkflowRepository } from '../../couch/workflows.js';
import { answersJson } from '../error-boundary.js';
import { checkHealth } from '../health.js';
import type { WebsiteMetrics } from '../metrics.js';
import type { WorkflowIndex } from '../workflow-index.js';

export interface OperationsRoutesOptions {
  index: WorkflowIndex;
  workflows: WorkflowRepository;
  metrics: WebsiteMetrics;
  maxIndexLagMs: number;
}

export function operationsRoutes(options: OperationsRoutesOptions): Router {
  const router = Router();

  router.get('/healthz', answersJson, async (_req, res) => {
    const report = await checkHealth({
      index: options.index,
      workflows: options.workflows,
      maxLagMs: options.maxIndexLagMs,
    });
    res
      .status(report.ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  router.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  return router;
}
