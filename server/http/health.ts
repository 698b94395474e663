/**
 * `/healthz`, what a load balancer asks: 200 `ok` when CouchDB answers (through the
 * reader) and the workflow index is current and checked, so that every route answers
 * correctly; else 503 with `starting` (the index is loading, or serving from its snapshot
 * while it catches up), `stale` (it has not caught up with the feed for `maxLagMs`) or
 * `unavailable` (CouchDB does not answer). The answer is public: it says "database
 * unreachable", never CouchDB's own error text (addresses, ports); that goes to the log,
 * once per change. CouchDB is asked once for any number of requests at the same time, and
 * that answer serves for `probeReuseMs` (1 s) more: however often /healthz is asked (it is
 * public), CouchDB gets about one request a second from it.
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
  /** How long a CouchDB answer serves other requests after it came (default 1 s). */
  probeReuseMs?: number;
}

interface CouchProbe {
  result: Promise<HealthReport['couchdb']>;
  /** When the answer came; undefined while CouchDB is being asked. */
  answeredAt?: number;
}

export class HealthCheck {
  private lastStatus: HealthStatus | undefined;
  private couchWasReachable = true;
  private probe: CouchProbe | undefined;

  constructor(private readonly options: HealthOptions) {}

  async report(): Promise<HealthReport> {
    const { index, maxLagMs } = this.options;
    const couchdb = await this.askCouch();
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

  /** The probe in flight or answered within `probeReuseMs`, else a new one. */
  private askCouch(): Promise<HealthReport['couchdb']> {
    const reuseMs = this.options.probeReuseMs ?? 1000;
    const probe = this.probe;
    if (probe && (probe.answeredAt === undefined || Date.now() - probe.answeredAt < reuseMs))
      return probe.result;
    const next: CouchProbe = { result: this.checkCouch() };
    void next.result.then(() => (next.answeredAt = Date.now()));
    this.probe = next;
    return next.result;
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
