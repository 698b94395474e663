/**
 * Where the workflow index reads from: the `requests` database through the reader
 * connection. Sequences are opaque (integers on pouchdb-server, strings on CouchDB) and
 * are only ever passed back verbatim. The feed is read in normal mode (`since` + `limit`),
 * never longpoll, which pouchdb-server does not implement reliably.
 */
import type { WorkflowRepository } from '../couch/workflows.js';
import { couchError } from '../couch/errors.js';

export type Sequence = string | number;

export interface WorkflowChange {
  id: string;
  deleted: boolean;
  doc: unknown;
}

export interface WorkflowSource {
  /** The database's current update sequence (where to follow the feed from after a full read). */
  currentSequence(): Promise<Sequence>;
  /** Every workflow document, a page at a time. */
  readAll(pageSize: number): AsyncIterable<unknown[]>;
  /** Up to `limit` changes after `since`, with the documents. */
  changesSince(
    since: Sequence,
    limit: number,
  ): Promise<{ changes: WorkflowChange[]; lastSequence: Sequence }>;
}

export function couchWorkflowSource(workflows: WorkflowRepository): WorkflowSource {
  return {
    async currentSequence() {
      try {
        return (await workflows.db.info()).update_seq as Sequence;
      } catch (err) {
        throw couchError(`reading the update sequence of ${workflows.name}`, err);
      }
    },
    readAll: (pageSize) => workflows.scan(pageSize),
    async changesSince(since, limit) {
      let response;
      try {
        response = await workflows.db.changes({
          since: since as string,
          limit,
          include_docs: true,
        });
      } catch (err) {
        throw couchError(`reading the changes feed of ${workflows.name}`, err);
      }
      const changes = response.results.map((row) => ({
        id: row.id,
        deleted: row.deleted === true,
        doc: (row as { doc?: unknown }).doc,
      }));
      return { changes, lastSequence: response.last_seq as Sequence };
    },
  };
}
