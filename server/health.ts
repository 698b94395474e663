/**
 * `/healthz`: healthy when CouchDB answers (through the reader) and the workflow index
 * has read the whole database and caught up with its changes feed recently.
 */
import type { WorkflowRepository } from '../couch/workflows.js';
import { errorMessage } from '../lib/errors.js';
import { scrubUrl } from '../lib/logger.js';
import type { WorkflowIndex } from './workflow-index.js';

export interface HealthReport {
  ok: boolean;
  couchdb: { ok: boolean; ms: number; error?: string };
  index: {
    ok: boolean;
    state: string;
    workflows: number;
    lagSeconds: number | null;
    error?: string;
  };
}

export interface HealthOptions {
  index: WorkflowIndex;
  workflows: WorkflowRepository;
  /** The index counts as stale when it has not caught up for this long. */
  maxLagMs: number;
  timeoutMs?: number;
}

export async function checkHealth(options: HealthOptions): Promise<HealthReport> {
  const couchdb = await checkCouch(options.workflows, options.timeoutMs ?? 3000);
  const status = options.index.status();
  const fresh =
    status.state === 'ready' && status.lagMs !== undefined && status.lagMs <= options.maxLagMs;
  const index = {
    ok: fresh,
    state: status.state,
    workflows: status.workflows,
    lagSeconds: status.lagMs === undefined ? null : Math.round(status.lagMs / 100) / 10,
    ...(status.lastError !== undefined ? { error: status.lastError } : {}),
  };
  return { ok: couchdb.ok && index.ok, couchdb, index };
}

async function checkCouch(
  workflows: WorkflowRepository,
  timeoutMs: number,
): Promise<HealthReport['couchdb']> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      workflows.db.info(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return {
      ok: false,
      ms: Date.now() - started,
      error: scrubUrl(`reading ${workflows.name} failed: ${errorMessage(err)}`),
    };
  } finally {
    clearTimeout(timer);
  }
}
