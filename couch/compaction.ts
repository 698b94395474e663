/**
 * Compaction of one database: the database file, the index of every design document
 * with views, then the cleanup of index files no design document uses any more. Each
 * step reports on its own, so a server that lacks one (pouchdb-server cannot compact a
 * single design document's views) is said so and the others still run.
 */
import type { ServerScope } from 'nano';
import { couchError } from './errors.js';

export type StepStatus = 'done' | 'unsupported' | 'still-running' | 'failed';

export interface StepOutcome {
  db: string;
  step: string;
  status: StepStatus;
  detail: string;
}

export interface CompactionOptions {
  /** How long to wait for the server to finish one compaction before going on. */
  waitMs?: number;
  pollMs?: number;
}

interface DesignDocRow {
  id: string;
  doc?: { views?: Record<string, unknown> } | null;
}

/** Statuses a server answers to an endpoint it does not have (pouchdb-server: 400). */
const UNSUPPORTED_STATUSES = new Set([400, 405, 501]);

export async function compactDatabase(
  server: ServerScope,
  db: string,
  options: CompactionOptions = {},
): Promise<StepOutcome[]> {
  const wait = { waitMs: options.waitMs ?? 30 * 60_000, pollMs: options.pollMs ?? 1000 };
  const outcomes: StepOutcome[] = [];
  const record = (step: string, status: StepStatus, detail: string) =>
    outcomes.push({ db, step, status, detail });

  try {
    await server.db.get(db);
  } catch (err) {
    record('database', 'failed', couchError(`reading database ${db}`, err).message);
    return outcomes;
  }

  record(
    'database',
    ...(await runAndWait(server, db, '_compact', () => databaseCompacting(server, db), wait)),
  );

  let designDocs: DesignDocRow[];
  try {
    const response = await server
      .use(db)
      .list({ startkey: '_design/', endkey: '_design0', include_docs: true });
    designDocs = response.rows as DesignDocRow[];
  } catch (err) {
    record(
      'design documents',
      'failed',
      couchError(`listing the design documents of ${db}`, err).message,
    );
    designDocs = [];
  }
  for (const row of designDocs) {
    if (!row.doc?.views || Object.keys(row.doc.views).length === 0) continue;
    const name = row.id.slice('_design/'.length);
    const path = `_compact/${encodeURIComponent(name)}`;
    record(
      `${row.id} views`,
      ...(await runAndWait(server, db, path, () => viewsCompacting(server, db, name), wait)),
    );
  }

  try {
    await server.request({ db, method: 'post', path: '_view_cleanup' });
    record('view cleanup', 'done', 'index files of old design documents removed');
  } catch (err) {
    record('view cleanup', ...failure(err, `cleaning up the view indexes of ${db}`));
  }
  return outcomes;
}

async function runAndWait(
  server: ServerScope,
  db: string,
  path: string,
  compacting: () => Promise<boolean | undefined>,
  wait: { waitMs: number; pollMs: number },
): Promise<[StepStatus, string]> {
  const started = Date.now();
  try {
    await server.request({ db, method: 'post', path });
  } catch (err) {
    return failure(err, `POST /${db}/${path}`);
  }
  let finished: Awaited<ReturnType<typeof waitWhileCompacting>>;
  try {
    finished = await waitWhileCompacting(compacting, wait);
  } catch (err) {
    return ['failed', couchError(`asking whether ${db} is still compacting`, err).message];
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (finished === 'unreported') {
    return ['done', 'compaction started (this server does not report its progress)'];
  }
  return finished === 'finished'
    ? ['done', `compacted in ${seconds} s`]
    : [
        'still-running',
        `still compacting after ${seconds} s; CouchDB goes on with it in the background`,
      ];
}

function failure(err: unknown, what: string): [StepStatus, string] {
  const status = (err as { statusCode?: number }).statusCode;
  if (status !== undefined && UNSUPPORTED_STATUSES.has(status)) {
    const couchReason = (err as { reason?: string }).reason;
    return [
      'unsupported',
      `not supported by this server (${what} answered ${status}${couchReason ? ` ${couchReason}` : ''}); skipped`,
    ];
  }
  return ['failed', couchError(what, err).message];
}

/** CouchDB reports `compact_running` in the database info; pouchdb-server does not (undefined). */
async function databaseCompacting(server: ServerScope, db: string): Promise<boolean | undefined> {
  const info = (await server.db.get(db)) as { compact_running?: boolean };
  return info.compact_running;
}

/** CouchDB: `view_index.compact_running` of `_design/<name>/_info`. */
async function viewsCompacting(
  server: ServerScope,
  db: string,
  name: string,
): Promise<boolean | undefined> {
  const info = (await server.request({
    db,
    path: `_design/${encodeURIComponent(name)}/_info`,
  })) as {
    view_index?: { compact_running?: boolean } | string;
  };
  return typeof info.view_index === 'object' ? info.view_index.compact_running : undefined;
}

async function waitWhileCompacting(
  compacting: () => Promise<boolean | undefined>,
  { waitMs, pollMs }: { waitMs: number; pollMs: number },
): Promise<'finished' | 'unreported' | 'timeout'> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const running = await compacting();
    if (running === undefined) return 'unreported';
    if (!running) return 'finished';
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
