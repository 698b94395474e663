/**
 * `/healthz`, what a load balancer asks: 200 `ok` when CouchDB answers (through the
 * reader) and the workflow index is current and checked, so that every route answers
 * correctly; else 503 with `starting` (the index is loading, or serving from its snapshot
 * while it catches up), `stale` (it has not caught up with the feed for `maxLagMs`) or
 * `unavailable` (CouchDB does not answer). The answer is public: it says "database
 * unreachable", never CouchDB's own error text (addresses, ports); that goes to the log,
 * once per change.
 */
import type { WorkflowRepository } from '../../couch/workflows.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { scrubUrl } from '../../lib/logger.js';
import type { IndexState, WorkflowIndex } from '../read-model/workflow-index.js';

export type HealthStatus = 'ok' | 'starting' | 'stale' | 'unavailable';

export interface HealthReport {
  status: HealthStatus;
  couchdb: { ok: boolean; ms: number; error?: 'database unreachable' };
  index: {
    state: IndexState;
    workflows: number;
    lagSeconds: number | null;
    loadedFrom: 'snapshot' | 'database' | null;
  };
}

export interface HealthOptions {
  index: WorkflowIndex;
  workflows: WorkflowRepository;
  logger: Logger;
  /** The index counts as stale when it has not caught up for this long. */
  maxLagMs: number;
  timeoutMs?: number;
}

export class HealthCheck {
  private lastStatus: HealthStatus | undefined;
  private couchWasReachable = true;

  constructor(private readonly options: HealthOptions) {}

  async report(): Promise<HealthReport> {
    const { index, maxLagMs } = this.options;
    const couchdb = await this.checkCouch();
    const status = index.status();
    const verdict: HealthStatus = !couchdb.ok
      ? 'unavailable'
      : status.state !== 'ready'
        ? 'starting'
        : status.lagMs === undefined || status.lagMs > maxLagMs
          ? 'stale'
          : 'ok';
    if (verdict !== this.lastStatus) {
      // The first answer is logged too: it tells when the site became reachable.
      const log = verdict === 'ok' || verdict === 'starting' ? 'info' : 'warn';
      this.options.logger[log]({ status: verdict, index: status.state }, `health: ${verdict}`);
      this.lastStatus = verdict;
    }
    return {
      status: verdict,
      couchdb,
      index: {
        state: status.state,
        workflows: status.workflows,
        lagSeconds: status.lagMs === undefined ? null : Math.round(status.lagMs / 100) / 10,
        loadedFrom: status.loadedFrom ?? null,
      },
    };
  }

  private async checkCouch(): Promise<HealthReport['couchdb']> {
    const { workflows, logger } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 3000;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        workflows.db.info(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      if (!this.couchWasReachable) logger.info(`health: ${workflows.name} answers again`);
      this.couchWasReachable = true;
      return { ok: true, ms: Date.now() - started };
    } catch (err) {
      if (this.couchWasReachable)
        logger.warn(
          { reason: scrubUrl(errorMessage(err)) },
          `health: reading ${workflows.name} failed`,
        );
      this.couchWasReachable = false;
      return { ok: false, ms: Date.now() - started, error: 'database unreachable' };
    } finally {
      clearTimeout(timer);
    }
  }
}
