/**
 * Looking at view indexes from outside, the same way on Apache CouchDB and pouchdb-server:
 * whether an index with given views still exists, and whether CouchDB has written it.
 */
import type { ServerScope } from 'nano';
import { waitForIndex } from '../../couch/index-activity.js';

export interface ViewsOnly {
  language?: string;
  views?: Record<string, { map: string; reduce?: string }>;
}

/**
 * Rows for `key` that an index with `ddoc`'s views holds, asked without updating it: a
 * probe design document with the same views shares that index while its files exist (both
 * servers name index files by their content), and starts an empty one once they are gone.
 * The probe is removed again.
 */
export async function rowsOfExistingIndex(
  server: ServerScope,
  dbName: string,
  ddoc: ViewsOnly,
  view: string,
  key: string,
): Promise<number> {
  const db = server.use(dbName);
  const probe = {
    _id: '_design/probe',
    language: ddoc.language ?? 'javascript',
    views: ddoc.views,
  };
  const written = await db.insert(probe as never);
  try {
    return (await db.view('probe', view, { key, stale: 'ok' })).rows.length;
  } finally {
    await db.destroy(probe._id, written.rev);
  }
}

/**
 * Rows the index still holds once it is gone, asked again for up to `timeoutMs`: Apache
 * CouchDB closes an index moments after the last design document using it goes, and a
 * probe arriving before that reads the open index (its removal then closes it).
 */
export async function rowsOfRemovedIndex(
  server: ServerScope,
  dbName: string,
  ddoc: ViewsOnly,
  view: string,
  key: string,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await rowsOfExistingIndex(server, dbName, ddoc, view, key);
    if (rows === 0 || Date.now() >= deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Apache CouchDB writes an index's header a few seconds after building it; an index
 * closed before that (its design document changed or deleted) is found empty when
 * opened again. pouchdb-server has no such delay.
 */
export async function indexCommitted(
  server: ServerScope,
  dbName: string,
  ddoc: string,
): Promise<void> {
  const committed = await waitForIndex(server, dbName, ddoc, (index) => !index.waitingCommit, {
    timeoutMs: 30_000,
  });
  if (!committed)
    throw new Error(`the index of ${ddoc} in ${dbName} was not committed within 30 s`);
}
