/**
 * Every document of a database, design documents included, in pages of `_all_docs` with
 * bodies: one page in memory at a time, whatever the size of the database.
 */
import type { ServerScope } from 'nano';
import { couchError } from './errors.js';

export interface CouchDoc {
  _id: string;
  _rev: string;
  [field: string]: unknown;
}

interface AllDocsRow {
  id: string;
  doc?: CouchDoc | null;
}

export async function* allDocPages(
  server: ServerScope,
  dbName: string,
  pageSize = 500,
): AsyncGenerator<CouchDoc[]> {
  const db = server.use<CouchDoc>(dbName);
  let startkey: string | undefined;
  for (;;) {
    let rows: AllDocsRow[];
    try {
      const response = await db.list({
        include_docs: true,
        limit: pageSize + 1,
        ...(startkey === undefined ? {} : { startkey }),
      });
      rows = response.rows as AllDocsRow[];
    } catch (err) {
      throw couchError(`reading the documents of ${dbName}`, err);
    }
    const docs = rows.slice(0, pageSize).flatMap((row) => (row.doc ? [row.doc] : []));
    if (docs.length > 0) yield docs;
    if (rows.length <= pageSize) return;
    startkey = rows[pageSize]?.id;
  }
}

export function isDesignDoc(id: string): boolean {
  return id.startsWith('_design/');
}
