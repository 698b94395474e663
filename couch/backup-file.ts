/**
 * The backup file: gzip-compressed NDJSON, one record a line —
 *   {"type":"header","format":"stats2-backup","version":1,"createdAt":"…","databases":["requests","settings"]}
 *   {"type":"security","db":"requests","security":{…}}
 *   {"type":"doc","db":"requests","doc":{"_id":"…","_rev":"…",…}}   (one per document)
 *   …
 *   {"type":"end","counts":{"requests":1234,"settings":3}}
 * `db` is the database's role, so a backup restores into databases of other names. The
 * trailer tells a complete file from a cut one.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Stats2Error } from '../lib/errors.js';
import { plural } from '../lib/plural.js';
import type { CouchDoc } from './all-docs.js';
import type { DatabaseRole } from './design.js';

export const BACKUP_FORMAT = 'stats2-backup';
export const BACKUP_VERSION = 1;
export const DATABASE_ROLES: readonly DatabaseRole[] = ['requests', 'settings'];

export type BackupRecord =
  | {
      type: 'header';
      format: typeof BACKUP_FORMAT;
      version: number;
      createdAt: string;
      databases: DatabaseRole[];
    }
  | { type: 'security'; db: DatabaseRole; security: Record<string, unknown> }
  | { type: 'doc'; db: DatabaseRole; doc: CouchDoc }
  | { type: 'end'; counts: Record<DatabaseRole, number> };

export function backupFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `stats2-backup-${stamp}.ndjson.gz`;
}

export function recordLine(record: BackupRecord): string {
  return JSON.stringify(record) + '\n';
}

/**
 * The records of a backup file, checked as they are read: a header first, known record
 * types, and a trailer whose counts match the documents read. Any defect throws, naming
 * the line.
 */
export async function* readBackup(
  file: string,
): AsyncGenerator<Exclude<BackupRecord, { type: 'end' }>> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  const lines = createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  const unreadable = (err: unknown) =>
    err instanceof Stats2Error ? err : invalid(file, `cannot be read: ${(err as Error).message}`);
  // An error of the file stream does not reach the line reader: the pipe does not forward it.
  const failed = once(input, 'error').then(([err]) => {
    throw unreadable(err);
  });
  failed.catch(() => undefined);

  const counts: Record<DatabaseRole, number> = { requests: 0, settings: 0 };
  let lineNumber = 0;
  let headerRead = false;
  let ended = false;
  try {
    const iterator = lines[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([iterator.next(), failed]).catch((err: unknown) => {
        throw unreadable(err);
      });
      if (next.done) break;
      lineNumber++;
      if (next.value.trim() === '') continue;
      if (ended) throw invalid(file, `line ${lineNumber}: data after the end record`);
      const record = parseRecord(file, lineNumber, next.value);
      if (!headerRead) {
        if (record.type !== 'header') {
          throw invalid(file, 'does not start with a stats2-backup header');
        }
        headerRead = true;
        yield record;
        continue;
      }
      if (record.type === 'header') throw invalid(file, `line ${lineNumber}: a second header`);
      if (record.type === 'end') {
        for (const role of DATABASE_ROLES) {
          if (record.counts[role] !== counts[role]) {
            throw invalid(
              file,
              `the end record counts ${plural(record.counts[role], `${role} document`)}, the file holds ${counts[role]}`,
            );
          }
        }
        ended = true;
        continue;
      }
      if (record.type === 'doc') counts[record.db]++;
      yield record;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (!headerRead) throw invalid(file, 'is empty');
  if (!ended) {
    throw invalid(
      file,
      'has no end record: the backup was cut short (disk full, or killed while writing)',
    );
  }
}

function parseRecord(file: string, lineNumber: number, line: string): BackupRecord {
  let record: Partial<BackupRecord> & { type?: unknown; db?: unknown };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    throw invalid(file, `line ${lineNumber} is not JSON`);
  }
  const roleOk = DATABASE_ROLES.includes(record.db as DatabaseRole);
  switch (record.type) {
    case 'header': {
      const header = record as Extract<BackupRecord, { type: 'header' }>;
      if (header.format !== BACKUP_FORMAT) {
        throw invalid(file, 'is not a stats2 backup (header format differs)');
      }
      if (header.version !== BACKUP_VERSION) {
        throw invalid(
          file,
          `has format version ${String(header.version)}; this program reads version ${BACKUP_VERSION}`,
        );
      }
      return header;
    }
    case 'security':
      if (roleOk && typeof (record as { security?: unknown }).security === 'object') {
        return record as BackupRecord;
      }
      break;
    case 'doc': {
      const doc = (record as { doc?: Partial<CouchDoc> }).doc;
      if (roleOk && typeof doc?._id === 'string' && typeof doc._rev === 'string') {
        return record as BackupRecord;
      }
      break;
    }
    case 'end':
      if (typeof (record as { counts?: unknown }).counts === 'object') {
        return record as BackupRecord;
      }
      break;
  }
  throw invalid(file, `line ${lineNumber} is not a valid backup record`);
}

function invalid(file: string, problem: string): Stats2Error {
  return new Stats2Error(`backup file ${file} ${problem}`, {
    code: 'BACKUP_INVALID',
    statusCode: 400,
  });
}
