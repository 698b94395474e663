/**
 * Where the workflow index reads from: the `requests` database through the reader
 * connection. Sequences are opaque (integers on pouchdb-server, strings on CouchDB that
 * differ from node to node of a cluster) and are only ever passed back verbatim. The feed
 * is read in normal mode (`since` + `limit`), never longpoll, which pouchdb-server does
 * not implement reliably.
 */
import type { WorkflowRepository } from '../../couch/workflows.js';
import { couchError } from '../../couch/errors.js';

export type Sequence = string | number;

export interface WorkflowChange {
  id: string;
  deleted: boolean;
  doc: unknown;
}

export interface DatabaseState {
  /** The database's current update sequence. */
  sequence: Sequence;
  /** Documents in it, design documents included. */
  documents: number;
  /**
   * When Apache CouchDB created this database (its `instance_start_time`, which CouchDB
   * 2+ reports as the creation time of the database's shards): another value means the
   * database was deleted and created again. Undefined on servers that report something
   * else there (pouchdb-server: its own start time).
   */
  incarnation: string | undefined;
}

export interface WorkflowSource {
  /** What the documents are read from (no credentials), for the index snapshot's identity. */
  readonly location: { couchUrl: string; database: string };
  state(): Promise<DatabaseState>;
  /** Every workflow document, a page at a time. */
  readAll(pageSize: number): AsyncIterable<unknown[]>;
  /** Up to `limit` changes after `since`, with the documents. */
  changesSince(
    since: Sequence,
    limit: number,
  ): Promise<{ changes: WorkflowChange[]; lastSequence: Sequence }>;
  /** Every document's id and revision (design documents too), a page at a time, in id order. */
  revisions(pageSize: number): AsyncIterable<Array<{ id: string; rev: string }>>;
  /** The current revisions of `ids`; missing and deleted ones are absent. */
  revisionsOf(ids: readonly string[]): Promise<Map<string, string>>;
  /** The current documents of `ids`; missing and deleted ones are absent. */
  documents(ids: readonly string[]): Promise<unknown[]>;
}

export function couchWorkflowSource(
  workflows: WorkflowRepository,
  couchUrl: string,
): WorkflowSource {
  return {
    location: { couchUrl, database: workflows.name },
    async state() {
      let info;
      try {
        info = (await workflows.db.info()) as unknown as {
          update_seq: Sequence;
          doc_count: number;
          instance_start_time?: unknown;
          cluster?: unknown;
        };
      } catch (err) {
        throw couchError(`reading the state of ${workflows.name}`, err);
      }
      const incarnation =
        info.cluster !== undefined && typeof info.instance_start_time === 'string'
          ? info.instance_start_time
          : undefined;
      return { sequence: info.update_seq, documents: info.doc_count, incarnation };
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
    async *revisions(pageSize) {
      let startkey: string | undefined;
      for (;;) {
        let response;
        try {
          response = await workflows.db.list({
            limit: pageSize + 1,
            ...(startkey === undefined ? {} : { startkey }),
          });
        } catch (err) {
          throw couchError(`listing the documents of ${workflows.name}`, err);
        }
        const rows = response.rows;
        yield rows.slice(0, pageSize).map((row) => ({ id: row.id, rev: row.value.rev }));
        if (rows.length <= pageSize) return;
        startkey = rows[pageSize]?.id;
      }
    },
    async revisionsOf(ids) {
      const revisions = new Map<string, string>();
      if (ids.length === 0) return revisions;
      let response;
      try {
        // POST: a few hundred long names do not fit in a URL.
        response = await workflows.db.fetchRevs({ keys: [...ids] });
      } catch (err) {
        throw couchError(`reading revisions from ${workflows.name}`, err);
      }
      for (const row of response.rows as Array<{
        id?: string;
        value?: { rev?: string; deleted?: boolean };
      }>) {
        if (row.id !== undefined && row.value?.rev && !row.value.deleted)
          revisions.set(row.id, row.value.rev);
      }
      return revisions;
    },
    async documents(ids) {
      return [...(await workflows.getMany(ids)).values()];
    },
  };
}
