/**
 * A backup: both databases, streamed page by page into a gzip file
 * `DIR/stats2-backup-<UTC time>.ndjson.gz` (format in couch/backup-file.ts). The file is
 * written under a temporary name and renamed when complete, so a file with the final
 * name is always a whole backup.
 */
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ServerScope } from 'nano';
import { allDocPages, isDesignDoc } from './all-docs.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  backupFileName,
  DATABASE_ROLES,
  recordLine,
} from './backup-file.js';
import type { DatabaseRole } from './design.js';
import { couchError } from './errors.js';
import type { DatabaseNames } from './setup.js';
import { Stats2Error } from '../lib/errors.js';

export interface BackupSummary {
  file: string;
  counts: Record<DatabaseRole, { docs: number; designDocs: number }>;
  /** Documents whose attachments were left out (Stats2 documents have none). */
  attachmentsLeftOut: string[];
}

export async function writeBackup(
  server: ServerScope,
  names: DatabaseNames,
  outDir: string,
  now = new Date(),
): Promise<BackupSummary> {
  mkdirSync(outDir, { recursive: true });
  const file = path.resolve(outDir, backupFileName(now));
  if (existsSync(file)) {
    throw new Stats2Error(`${file} already exists; run the backup again in a second`, {
      code: 'BACKUP_EXISTS',
      statusCode: 409,
    });
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const summary: BackupSummary = {
    file,
    counts: { requests: { docs: 0, designDocs: 0 }, settings: { docs: 0, designDocs: 0 } },
    attachmentsLeftOut: [],
  };
  try {
    await pipeline(
      Readable.from(backupChunks(server, names, now, summary)),
      createGzip(),
      createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
    );
    const written = await open(temp, 'r');
    await written.sync().finally(() => written.close());
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return summary;
}

/** The file's text, one chunk per page of documents, produced only as fast as gzip takes it. */
async function* backupChunks(
  server: ServerScope,
  names: DatabaseNames,
  now: Date,
  summary: BackupSummary,
): AsyncGenerator<string> {
  yield recordLine({
    type: 'header',
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: now.toISOString(),
    databases: [...DATABASE_ROLES],
  });
  for (const role of DATABASE_ROLES) {
    const dbName = names[role];
    let security: Record<string, unknown>;
    try {
      security = (await server.request({ db: dbName, path: '_security' })) as Record<
        string,
        unknown
      >;
    } catch (err) {
      throw couchError(`reading the security object of ${dbName}`, err);
    }
    yield recordLine({ type: 'security', db: role, security });
    for await (const page of allDocPages(server, dbName)) {
      let chunk = '';
      for (const doc of page) {
        if (doc._attachments !== undefined) {
          delete doc._attachments;
          summary.attachmentsLeftOut.push(`${dbName}/${doc._id}`);
        }
        chunk += recordLine({ type: 'doc', db: role, doc });
        summary.counts[role].docs++;
        if (isDesignDoc(doc._id)) summary.counts[role].designDocs++;
      }
      yield chunk;
    }
  }
  yield recordLine({
    type: 'end',
    counts: { requests: summary.counts.requests.docs, settings: summary.counts.settings.docs },
  });
}
