/**
 * Taking over an existing Stats2 CouchDB (`--action import`, after our setup): every
 * workflow document of the source and its `all_settings` document are copied, page by
 * page. The sequence `last_reqmgr_sequence` is copied verbatim, so the next update run
 * reads the ReqMgr2 feed from where the old service stopped. The source's design
 * documents are not copied. A document already equal to the source's (ignoring `_rev`)
 * is not written, so a second import changes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DocumentScope, ServerScope } from 'nano';
import { allDocPages, isDesignDoc, type CouchDoc } from './all-docs.js';
import { connect, type CouchTarget } from './connection.js';
import { DocumentStore, type StoredDoc } from './documents.js';
import { couchError, isNotFound } from './errors.js';
import type { DatabaseNames } from './setup.js';
import { SETTINGS_ID } from '../workflow/documents.js';
import { BadRequestError } from '../lib/errors.js';
import { scrubUrl } from '../lib/logger.js';

export interface ImportSource {
  /** The source server's URL, credentials allowed in it. */
  url: string;
  requestsDb: string;
  settingsDb: string;
}

export interface CopyCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: Array<{ id: string; error: string }>;
}

export interface ImportSummary {
  workflows: CopyCounts;
  settings: CopyCounts;
  /** The sequence now stored, as the source holds it; undefined when the source has no settings. */
  sequence: unknown;
}

/** Fields CouchDB adds to a read document that must not be written back. */
const READ_ONLY_FIELDS = [
  '_rev',
  '_attachments',
  '_conflicts',
  '_deleted_conflicts',
  '_revisions',
  '_revs_info',
  '_local_seq',
];

export async function importStats2(
  from: ServerScope,
  source: Pick<ImportSource, 'requestsDb' | 'settingsDb'>,
  to: ServerScope,
  names: DatabaseNames,
): Promise<ImportSummary> {
  const workflows = store(to, names.requests);
  const workflowCounts = emptyCounts();
  for await (const page of allDocPages(from, source.requestsDb)) {
    await copyPage(
      page.filter((doc) => !isDesignDoc(doc._id)),
      workflows,
      workflowCounts,
    );
  }

  const settingsCounts = emptyCounts();
  const settings = await getOptional(from, source.settingsDb, SETTINGS_ID);
  if (settings) await copyPage([settings], store(to, names.settings), settingsCounts);
  return {
    workflows: workflowCounts,
    settings: settingsCounts,
    sequence: settings?.last_reqmgr_sequence,
  };
}

async function copyPage(
  page: CouchDoc[],
  target: DocumentStore<StoredDoc>,
  counts: CopyCounts,
): Promise<void> {
  counts.read += page.length;
  const current = await target.getMany(page.map((doc) => doc._id));
  const writes: StoredDoc[] = [];
  for (const doc of page) {
    const wanted = content(doc);
    const existing = current.get(doc._id);
    if (existing && isDeepStrictEqual(content(existing as CouchDoc), wanted)) {
      counts.unchanged++;
      continue;
    }
    writes.push({ ...wanted, _id: doc._id, ...(existing?._rev ? { _rev: existing._rev } : {}) });
  }
  for (const outcome of await target.writeMany(writes)) {
    if (!outcome.ok) {
      counts.failed.push({ id: outcome.id, error: `${outcome.error} ${outcome.reason}`.trim() });
    } else if (current.has(outcome.id)) counts.updated++;
    else counts.created++;
  }
}

function content(doc: CouchDoc): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...doc };
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  return copy;
}

/** The source server, once both its databases are known to exist. */
export async function openImportSource(
  target: CouchTarget,
  source: ImportSource,
): Promise<ServerScope> {
  const from = connect(target);
  await requireSourceDatabases(from, source, target.url);
  return from;
}

async function requireSourceDatabases(
  from: ServerScope,
  source: ImportSource,
  url: string,
): Promise<void> {
  for (const [name, flag] of [
    [source.requestsDb, '--from-requests-db'],
    [source.settingsDb, '--from-settings-db'],
  ] as const) {
    try {
      await from.db.get(name);
    } catch (err) {
      if (isNotFound(err)) {
        throw new BadRequestError(
          `the source ${scrubUrl(url)} has no database ${name}; name the right one with ${flag}`,
        );
      }
      throw couchError(`reading the source database ${name} at ${scrubUrl(url)}`, err);
    }
  }
}

async function getOptional(
  server: ServerScope,
  dbName: string,
  id: string,
): Promise<CouchDoc | undefined> {
  try {
    return await server.use<CouchDoc>(dbName).get(id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw couchError(`reading ${id} from ${dbName}`, err);
  }
}

function store(server: ServerScope, dbName: string): DocumentStore<StoredDoc> {
  return new DocumentStore(server.use<StoredDoc>(dbName) as DocumentScope<StoredDoc>, dbName);
}

function emptyCounts(): CopyCounts {
  return { read: 0, created: 0, updated: 0, unchanged: 0, failed: [] };
}
