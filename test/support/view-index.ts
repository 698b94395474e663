/**
 * Looking at view indexes from outside, the same way on Apache CouchDB and pouchdb-server:
 * whether an index with given views still exists, and whether CouchDB has written it.
 */
import type { ServerScope } from 'nano';

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
    return (await db.view('probe', view, { key, update: 'false' })).rows.length;
  } finally {
    await db.destroy(probe._id, written.rev);
  }
}

/**
 * Apache CouchDB writes an index's header a few seconds after building it; an index
 * closed before that (its design document changed or deleted) is found empty when
 * opened again. pouchdb-server has no such delay (no `view_index` in `_info`).
 */
export async function indexCommitted(
  server: ServerScope,
  dbName: string,
  ddoc: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info = (await server.request({ db: dbName, path: `_design/${ddoc}/_info` })) as {
      view_index?: { waiting_commit?: boolean } | string;
    };
    if (typeof info.view_index !== 'object' || info.view_index.waiting_commit !== true) return;
    if (Date.now() > deadline)
      throw new Error(`the index of ${ddoc} in ${dbName} was not committed within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
