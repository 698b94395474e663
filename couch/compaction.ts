/**
 * Compaction of one database: the database file, the index of every design document
 * with views, then the cleanup of index files no design document uses any more. Each
 * step reports on its own, so a server that lacks one (pouchdb-server cannot compact a
 * single design document's views) is said so and the others still run.
 */
import type { ServerScope } from 'nano';
import { couchError } from './errors.js';
import { indexActivity } from './index-activity.js';

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
  /** How long a compaction that has not visibly started may take to start. */
  startGraceMs?: number;
}

/** Polls while waiting for a compaction to start: short, it usually starts within milliseconds. */
const STARTING_POLL_MS = 100;

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
  const wait = {
    waitMs: options.waitMs ?? 30 * 60_000,
    pollMs: options.pollMs ?? 1000,
    startGraceMs: options.startGraceMs ?? 2000,
  };
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
    ...(await runAndWait(server, db, '_compact', () => databaseProgress(server, db), wait)),
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
      ...(await runAndWait(server, db, path, () => viewsProgress(server, db, name), wait)),
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
  progress: () => Promise<CompactionProgress>,
  wait: { waitMs: number; pollMs: number; startGraceMs: number },
): Promise<[StepStatus, string]> {
  const started = Date.now();
  let before: CompactionProgress;
  try {
    before = await progress();
  } catch (err) {
    return failure(err, `reading the state of ${db} before POST /${db}/${path}`);
  }
  try {
    await server.request({ db, method: 'post', path });
  } catch (err) {
    return failure(err, `POST /${db}/${path}`);
  }
  let finished: Awaited<ReturnType<typeof waitUntilCompacted>>;
  try {
    finished = await waitUntilCompacted(progress, started, wait);
  } catch (err) {
    return ['failed', couchError(`asking whether ${db} is still compacting`, err).message];
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (finished.state === 'unreported') {
    return ['done', 'compaction started (this server does not report its progress)'];
  }
  const sizes =
    before.fileBytes !== undefined && finished.fileBytes !== undefined
      ? ` (file ${bytes(before.fileBytes)} → ${bytes(finished.fileBytes)})`
      : '';
  return finished.state === 'finished'
    ? ['done', `compacted in ${seconds} s${sizes}`]
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

/**
 * What a server says of a compaction: whether one runs (undefined: it does not say, as
 * pouchdb-server) and the size of the file it rewrites.
 */
interface CompactionProgress {
  running: boolean | undefined;
  fileBytes: number | undefined;
}

interface CouchSizes {
  compact_running?: boolean;
  sizes?: { file?: number };
}

async function databaseProgress(server: ServerScope, db: string): Promise<CompactionProgress> {
  const info = (await server.db.get(db)) as CouchSizes;
  return { running: info.compact_running, fileBytes: info.sizes?.file };
}

/** CouchDB: `view_index` of `_design/<name>/_info` (pouchdb-server answers a stub without it). */
async function viewsProgress(
  server: ServerScope,
  db: string,
  name: string,
): Promise<CompactionProgress> {
  const index = await indexActivity(server, db, name);
  return index
    ? { running: index.compactRunning, fileBytes: index.fileBytes }
    : { running: undefined, fileBytes: undefined };
}

/**
 * Polls until the compaction is over. Apache CouchDB answers 202 before its shards have
 * started (the request is passed on to them asynchronously), so "not running" only means
 * "finished" once it was seen running, or when nothing was seen running within the grace
 * period (a compaction too small to catch in the act). The file size alone says nothing:
 * any write changes it.
 */
async function waitUntilCompacted(
  progress: () => Promise<CompactionProgress>,
  started: number,
  { waitMs, pollMs, startGraceMs }: { waitMs: number; pollMs: number; startGraceMs: number },
): Promise<{ state: 'finished' | 'unreported' | 'timeout'; fileBytes?: number | undefined }> {
  const deadline = started + waitMs;
  let seenRunning = false;
  for (;;) {
    const now = await progress();
    if (now.running === undefined) return { state: 'unreported' };
    if (now.running) seenRunning = true;
    else if (seenRunning || Date.now() - started >= startGraceMs) {
      return { state: 'finished', fileBytes: now.fileBytes };
    }
    if (Date.now() >= deadline) return { state: 'timeout' };
    await new Promise((resolve) => setTimeout(resolve, now.running ? pollMs : STARTING_POLL_MS));
  }
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}
