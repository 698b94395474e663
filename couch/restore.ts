/**
 * Restoring a backup into the configured databases. The file is read twice: once to
 * check it is whole (so a damaged backup never half-restores), then to write it in
 * `_bulk_docs` batches with `new_edits=false`, which stores each document with its own
 * `_rev`, as replication does. Databases must be empty (or missing: they are created)
 * unless `force`, which adds the backup's revisions to what is there.
 */
import type { ServerScope } from 'nano';
import { readBackup, DATABASE_ROLES } from './backup-file.js';
import type { CouchDoc } from './all-docs.js';
import type { DatabaseRole } from './design.js';
import { BATCH_SIZE } from './documents.js';
import { couchError, isNotFound } from './errors.js';
import { requireAdmin } from './session.js';
import type { DatabaseNames } from './setup.js';
import { Stats2Error } from '../lib/errors.js';
import { plural } from '../lib/plural.js';

export interface RestoreSummary {
  created: DatabaseRole[];
  counts: Record<DatabaseRole, number>;
  failures: Array<{ db: string; id: string; error: string }>;
}

/** Reads the whole file once; throws when it is not a complete stats2 backup. */
export async function checkBackup(
  file: string,
): Promise<{ createdAt: string; counts: Record<DatabaseRole, number> }> {
  let createdAt = '';
  const counts: Record<DatabaseRole, number> = { requests: 0, settings: 0 };
  for await (const record of readBackup(file)) {
    if (record.type === 'header') createdAt = record.createdAt;
    else if (record.type === 'doc') counts[record.db]++;
  }
  return { createdAt, counts };
}

export async function restoreBackup(
  server: ServerScope,
  names: DatabaseNames,
  file: string,
  force: boolean,
): Promise<RestoreSummary> {
  await requireAdmin(server, 'restore');
  const summary: RestoreSummary = {
    created: [],
    counts: { requests: 0, settings: 0 },
    failures: [],
  };
  const existing = new Map<DatabaseRole, number | undefined>();
  for (const role of DATABASE_ROLES) existing.set(role, await documentCount(server, names[role]));
  const occupied = DATABASE_ROLES.filter((role) => (existing.get(role) ?? 0) > 0);
  if (occupied.length > 0 && !force) {
    const what = occupied
      .map((role) => `${names[role]} holds ${plural(existing.get(role) ?? 0, 'document')}`)
      .join(', ');
    throw new Stats2Error(
      `${what}; restore fills only empty databases: delete them first, or pass --force to add the backup's revisions to what is there`,
      { code: 'RESTORE_NOT_EMPTY', statusCode: 409 },
    );
  }
  for (const role of DATABASE_ROLES) {
    if (existing.get(role) !== undefined) continue;
    try {
      await server.db.create(names[role]);
    } catch (err) {
      throw couchError(`creating database ${names[role]}`, err);
    }
    summary.created.push(role);
  }

  const batches: Record<DatabaseRole, CouchDoc[]> = { requests: [], settings: [] };
  const flush = async (role: DatabaseRole) => {
    const docs = batches[role].splice(0);
    if (docs.length === 0) return;
    const failures = await writeAsStored(server, names[role], docs);
    summary.failures.push(...failures);
    summary.counts[role] += docs.length - failures.length;
  };
  for await (const record of readBackup(file)) {
    if (record.type === 'security') {
      try {
        await server.request({
          db: names[record.db],
          method: 'put',
          path: '_security',
          body: record.security,
        });
      } catch (err) {
        throw couchError(`restoring the security object of ${names[record.db]}`, err);
      }
    } else if (record.type === 'doc') {
      batches[record.db].push(record.doc);
      if (batches[record.db].length >= BATCH_SIZE) await flush(record.db);
    }
  }
  for (const role of DATABASE_ROLES) await flush(role);
  return summary;
}

/** Number of documents (design documents included), or undefined when the database does not exist. */
async function documentCount(server: ServerScope, dbName: string): Promise<number | undefined> {
  try {
    return (await server.db.get(dbName)).doc_count;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw couchError(`reading database ${dbName}`, err);
  }
}

/** `new_edits=false`: the revisions are taken as given; CouchDB answers only the documents it refused. */
async function writeAsStored(
  server: ServerScope,
  dbName: string,
  docs: CouchDoc[],
): Promise<RestoreSummary['failures']> {
  let response: Array<{ id?: string; error?: string; reason?: string }>;
  try {
    response = (await server
      .use<CouchDoc>(dbName)
      .bulk({ docs, new_edits: false })) as typeof response;
  } catch (err) {
    throw couchError(`writing ${plural(docs.length, 'document')} to ${dbName}`, err);
  }
  return response
    .filter((row) => row.error !== undefined)
    .map((row) => ({
      db: dbName,
      id: row.id ?? '?',
      error: `${row.error}${row.reason ? ` (${row.reason})` : ''}`,
    }));
}
