/**
 * Bulk reads (`_all_docs` with keys) and bulk writes (`_bulk_docs`) with per-document
 * results, plus read-modify-write with conflict retry. Batches keep request bodies small.
 */
import type { DocumentScope } from 'nano';
import { plural } from '../lib/plural.js';
import { couchError } from './errors.js';

export const BATCH_SIZE = 500;

export interface StoredDoc {
  _id: string;
  _rev?: string;
  _deleted?: boolean;
}

export type WriteOutcome =
  { id: string; ok: true; rev: string } | { id: string; ok: false; error: string; reason: string };

export interface UpsertOptions {
  /** Read-modify-write rounds before a conflict is reported (default 10). */
  attempts?: number;
  /** Awaited before each write with the ids about to be written (e.g. to record intent first). */
  beforeWrite?: (ids: string[]) => Promise<void>;
}

export class DocumentStore<T extends StoredDoc> {
  constructor(
    readonly db: DocumentScope<T>,
    readonly name: string,
  ) {}

  async get(id: string): Promise<T | undefined> {
    return (await this.getMany([id])).get(id);
  }

  /** The current documents for `ids` (missing and deleted ones absent from the map). */
  async getMany(ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const batch of chunks(unique(ids), BATCH_SIZE)) {
      let response;
      try {
        response = await this.db.fetch({ keys: batch });
      } catch (err) {
        throw couchError(`reading ${plural(batch.length, 'document')} from ${this.name}`, err);
      }
      for (const row of response.rows) {
        if ('doc' in row && row.doc) found.set(row.id, row.doc as T);
      }
    }
    return found;
  }

  /** Revisions of `ids` without their bodies (for deletes). */
  async revisions(ids: readonly string[]): Promise<Map<string, string>> {
    const revs = new Map<string, string>();
    for (const batch of chunks(unique(ids), BATCH_SIZE)) {
      let response;
      try {
        response = await this.db.list({ keys: batch });
      } catch (err) {
        throw couchError(`reading revisions from ${this.name}`, err);
      }
      for (const row of response.rows) {
        const value = (row as { value?: { rev?: string; deleted?: boolean } }).value;
        if (value?.rev && !value.deleted) revs.set(row.id, value.rev);
      }
    }
    return revs;
  }

  /** Writes `docs` in batches; each document gets its own outcome (conflict, forbidden, …). */
  async writeMany(docs: readonly T[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const batch of chunks(docs, BATCH_SIZE)) {
      let response;
      try {
        response = await this.db.bulk({ docs: batch as T[] });
      } catch (err) {
        throw couchError(`writing ${plural(batch.length, 'document')} to ${this.name}`, err);
      }
      for (const row of response) {
        outcomes.push(
          row.error || !row.rev
            ? {
                id: row.id,
                ok: false,
                error: row.error ?? 'unknown_error',
                reason: row.reason ?? '',
              }
            : { id: row.id, ok: true, rev: row.rev },
        );
      }
    }
    return outcomes;
  }

  /** Deletes the documents that exist among `ids`; returns the outcomes of those. */
  async deleteMany(ids: readonly string[]): Promise<WriteOutcome[]> {
    const revs = await this.revisions(ids);
    const tombstones = [...revs].map(([id, rev]) => ({ _id: id, _rev: rev, _deleted: true }) as T);
    return this.writeMany(tombstones);
  }

  /**
   * Read-modify-write for many documents: `update` gets the current document (or
   * undefined) and returns the new one, or undefined for "leave it as it is". Documents
   * that hit a conflict are read again and updated again, up to `attempts` times.
   * Returns the outcomes of the documents written (or that failed), none for those left as they are.
   */
  async upsertMany(
    ids: readonly string[],
    update: (id: string, current: T | undefined) => T | undefined,
    options: UpsertOptions = {},
  ): Promise<WriteOutcome[]> {
    const attempts = options.attempts ?? 10;
    const settled = new Map<string, WriteOutcome>();
    let pending = unique(ids);
    for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
      const current = await this.getMany(pending);
      // A retry may find the change already there (another writer made it): then the
      // earlier conflict is no outcome at all.
      for (const id of pending) settled.delete(id);
      const docs: T[] = [];
      for (const id of pending) {
        const existing = current.get(id);
        const next = update(id, existing);
        if (next === undefined) continue;
        docs.push({ ...next, _id: id, _rev: existing?._rev } as T);
      }
      if (docs.length > 0) await options.beforeWrite?.(docs.map((doc) => doc._id));
      const outcomes = await this.writeMany(docs);
      pending = [];
      for (const outcome of outcomes) {
        settled.set(outcome.id, outcome);
        if (!outcome.ok && outcome.error === 'conflict' && attempt < attempts)
          pending.push(outcome.id);
      }
    }
    return [...settled.values()];
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
