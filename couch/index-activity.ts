/**
 * What Apache CouchDB says of a design document's index (`GET /db/_design/<name>/_info`):
 * whether it has written what it built, how many queries wait for it to catch up, whether
 * it is being compacted. pouchdb-server answers `_info` without index data.
 */
import type { ServerScope } from 'nano';
import { couchError } from './errors.js';

export interface IndexActivity {
  /** Built rows not yet on disk: an index closed now is found without them when reopened. */
  waitingCommit: boolean;
  /** Queries waiting for the index to reach the database's update sequence. */
  waitingClients: number;
  compactRunning: boolean;
  fileBytes: number | undefined;
}

export async function indexActivity(
  server: ServerScope,
  dbName: string,
  ddoc: string,
): Promise<IndexActivity | undefined> {
  let info: { view_index?: unknown };
  try {
    info = await server.request({ db: dbName, path: `_design/${encodeURIComponent(ddoc)}/_info` });
  } catch (err) {
    throw couchError(`reading the index state of ${ddoc} in ${dbName}`, err);
  }
  const index = info.view_index;
  if (typeof index !== 'object' || index === null) return undefined;
  const fields = index as {
    waiting_commit?: unknown;
    waiting_clients?: unknown;
    compact_running?: unknown;
    sizes?: { file?: unknown };
  };
  return {
    waitingCommit: fields.waiting_commit === true,
    waitingClients: typeof fields.waiting_clients === 'number' ? fields.waiting_clients : 0,
    compactRunning: fields.compact_running === true,
    fileBytes: typeof fields.sizes?.file === 'number' ? fields.sizes.file : undefined,
  };
}

/**
 * Asks every `pollMs` until `settled` holds for the index (or the server has no index
 * data); false if it still does not after `timeoutMs`.
 */
export async function waitForIndex(
  server: ServerScope,
  dbName: string,
  ddoc: string,
  settled: (activity: IndexActivity) => boolean,
  { timeoutMs, pollMs = 100 }: { timeoutMs: number; pollMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const activity = await indexActivity(server, dbName, ddoc);
    if (activity === undefined || settled(activity)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
