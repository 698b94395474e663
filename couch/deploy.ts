/**
 * Deploys compiled design documents without making readers wait for an index build:
 * a changed document is written under a staging id, its views are queried until the
 * index is built, then it is copied over the live one (CouchDB and pouchdb-server share
 * index files between identical views, so the live views are ready at once), the
 * staging copy is removed, and old indexes are cleaned up.
 */
import type { DocumentScope, ServerScope } from 'nano';
import type { Logger } from '../lib/logger.js';
import type { DesignDocument } from './design.js';
import { couchError, isNotFound } from './errors.js';

export type DeployAction = 'created' | 'updated' | 'unchanged';

export interface DeployResult {
  id: string;
  action: DeployAction;
}

const STAGING_PREFIX = '_design/:staged:';

export function stagingId(id: string): string {
  return STAGING_PREFIX + id.slice('_design/'.length);
}

export async function deployDesignDocs(
  server: ServerScope,
  dbName: string,
  docs: readonly DesignDocument[],
  logger?: Logger,
): Promise<DeployResult[]> {
  const db = server.use<DesignDocument>(dbName);
  const results: DeployResult[] = [];
  let replacedViews = false;
  for (const doc of docs) {
    const live = await getOptional(db, doc._id);
    if (live?.deploy?.hash === doc.deploy.hash) {
      results.push({ id: doc._id, action: 'unchanged' });
      continue;
    }
    if (doc.views) {
      await buildStaged(db, doc, logger);
      replacedViews ||= live !== undefined;
    }
    await put(db, { ...doc, _rev: live?._rev });
    if (doc.views) {
      await adoptStagedIndexes(db, doc);
      await removeStaged(db, doc);
    }
    const action: DeployAction = live ? 'updated' : 'created';
    logger?.info(
      { db: dbName, ddoc: doc._id, action, version: doc.deploy.version },
      'design document deployed',
    );
    results.push({ id: doc._id, action });
  }
  if (replacedViews) await cleanupViews(server, dbName);
  return results;
}

async function buildStaged(
  db: DocumentScope<DesignDocument>,
  doc: DesignDocument,
  logger?: Logger,
): Promise<void> {
  const id = stagingId(doc._id);
  const previous = await getOptional(db, id);
  await put(db, { ...doc, _id: id, _rev: previous?._rev });
  const started = Date.now();
  await queryEveryView(db, id, doc);
  logger?.info({ ddoc: doc._id, ms: Date.now() - started }, 'staged design document indexed');
}

/** pouchdb-server builds each view separately; CouchDB builds them all on the first query. */
async function queryEveryView(
  db: DocumentScope<DesignDocument>,
  id: string,
  doc: DesignDocument,
): Promise<void> {
  const name = id.slice('_design/'.length);
  for (const [view, { reduce }] of Object.entries(doc.views ?? {}))
    await queryUntilBuilt(db, name, view, reduce !== undefined);
}

/**
 * A long index build can outlast one HTTP request's timeout: ask again until it answers.
 * A view with a reduce is asked for one row, not reduced: pouchdb-server does not store
 * reductions, and reducing the whole view would read every row once more.
 */
async function queryUntilBuilt(
  db: DocumentScope<DesignDocument>,
  ddoc: string,
  view: string,
  hasReduce: boolean,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.view(ddoc, view, hasReduce ? { limit: 1, reduce: false } : { limit: 1 });
      return;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if ((status !== undefined && status < 500) || attempt >= 20) {
        throw couchError(`building the index of ${ddoc}/${view}`, err);
      }
    }
  }
}

/**
 * pouchdb-server only: it records which design document an index belongs to in
 * `_local/mrviews`, once per process, under the name that first built it (the staging
 * copy). Its `_view_cleanup` would then destroy the index the live views share as soon as
 * the staging copy is gone, and readers would wait for a rebuild. Record the live names
 * too. Apache CouchDB has no such document (404) and needs nothing.
 */
async function adoptStagedIndexes(
  db: DocumentScope<DesignDocument>,
  doc: DesignDocument,
): Promise<void> {
  type ViewRegistry = {
    _id: string;
    _rev?: string;
    views: Record<string, Record<string, boolean>>;
  };
  const registryDb = db as unknown as DocumentScope<ViewRegistry>;
  let registry: ViewRegistry;
  try {
    registry = await registryDb.get('_local/mrviews');
  } catch (err) {
    if (isNotFound(err)) return;
    throw couchError('reading _local/mrviews', err);
  }
  const live = doc._id.slice('_design/'.length);
  const staged = stagingId(doc._id).slice('_design/'.length);
  let changed = false;
  for (const view of Object.keys(doc.views ?? {})) {
    const indexes = registry.views[`${staged}/${view}`] ?? {};
    const liveIndexes = (registry.views[`${live}/${view}`] ??= {});
    for (const index of Object.keys(indexes)) {
      if (!liveIndexes[index]) changed = liveIndexes[index] = true;
    }
  }
  if (!changed) return;
  try {
    await registryDb.insert(registry);
  } catch (err) {
    throw couchError('recording live view indexes in _local/mrviews', err);
  }
}

async function removeStaged(db: DocumentScope<DesignDocument>, doc: DesignDocument): Promise<void> {
  const id = stagingId(doc._id);
  const staged = await getOptional(db, id);
  if (!staged?._rev) return;
  try {
    await db.destroy(id, staged._rev);
  } catch (err) {
    throw couchError(`removing the staging copy ${id}`, err);
  }
}

async function cleanupViews(server: ServerScope, dbName: string): Promise<void> {
  try {
    await server.request({ db: dbName, method: 'post', path: '_view_cleanup' });
  } catch (err) {
    throw couchError(`cleaning up old view indexes of ${dbName}`, err);
  }
}

async function getOptional(
  db: DocumentScope<DesignDocument>,
  id: string,
): Promise<DesignDocument | undefined> {
  try {
    return await db.get(id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw couchError(`reading ${id}`, err);
  }
}

async function put(db: DocumentScope<DesignDocument>, doc: DesignDocument): Promise<void> {
  try {
    await db.insert(doc);
  } catch (err) {
    throw couchError(`writing ${doc._id}`, err);
  }
}
