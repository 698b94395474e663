/**
 * Deploys compiled design documents without making readers wait for an index build or
 * fail a query: a changed document is written under a staging id, its views are queried
 * until the index is built, then it is copied over the live one (CouchDB and
 * pouchdb-server share index files between identical views, so the live views are ready
 * at once), the staging copy is removed, and old indexes are cleaned up.
 *
 * Apache CouchDB closes an index as soon as no design document it has opened it through
 * has its views any more, and fails the queries waiting on it ("Design document was
 * updated or deleted."). So the version being replaced is first copied under a retired
 * id and opened through it, which keeps its index open while the live document changes;
 * the copy is removed once no query waits on that index. Likewise the live document
 * opens the new index before the staging copy goes.
 */
import type { DocumentScope, ServerScope } from 'nano';
import type { Logger } from '../lib/logger.js';
import type { DesignDocument } from './design.js';
import { couchError, isNotFound } from './errors.js';
import { waitForIndex } from './index-activity.js';

export type DeployAction = 'created' | 'updated' | 'unchanged';

export interface DeployResult {
  id: string;
  action: DeployAction;
}

/** A design document as stored: written by any version, or by hand. */
type StoredDesignDocument = Partial<DesignDocument> & { _id: string; options?: unknown };

const STAGING_PREFIX = '_design/:staged:';
const RETIRED_PREFIX = '_design/:retired:';

/**
 * Queries that opened the replaced version just before the swap reach its index within
 * milliseconds; after this pause, only those still waiting for it to catch up are waited for.
 */
const RETIRED_GRACE_MS = 1_000;
const RETIRED_DRAIN_TIMEOUT_MS = 60_000;

export function stagingId(id: string): string {
  return STAGING_PREFIX + nameOf(id);
}

export function retiredId(id: string): string {
  return RETIRED_PREFIX + nameOf(id);
}

export async function deployDesignDocs(
  server: ServerScope,
  dbName: string,
  docs: readonly DesignDocument[],
  logger?: Logger,
): Promise<DeployResult[]> {
  const db = server.use<StoredDesignDocument>(dbName);
  const results: DeployResult[] = [];
  let unusedIndexes = false;
  for (const doc of docs) {
    const live = await getOptional(db, doc._id);
    if (live?.deploy?.hash === doc.deploy.hash) {
      // What an interrupted deploy left behind.
      const removedStaged = await removeCopy(db, stagingId(doc._id));
      const removedRetired = await removeCopy(db, retiredId(doc._id));
      unusedIndexes ||= removedStaged || removedRetired;
      results.push({ id: doc._id, action: 'unchanged' });
      continue;
    }
    if (doc.views) await buildStaged(db, doc, logger);
    const retired = live ? await retire(db, live) : undefined;
    await put(db, { ...doc, _rev: live?._rev });
    if (doc.views) {
      await adoptStagedIndexes(db, doc);
      await openIndex(db, doc._id, doc.views);
      await removeCopy(db, stagingId(doc._id));
    }
    if (retired) {
      await drainRetired(server, dbName, retired, logger);
      await removeCopy(db, retired);
      unusedIndexes = true;
    }
    const action: DeployAction = live ? 'updated' : 'created';
    logger?.info(
      { db: dbName, ddoc: doc._id, action, version: doc.deploy.version },
      'design document deployed',
    );
    results.push({ id: doc._id, action });
  }
  if (unusedIndexes) await cleanupViews(server, dbName);
  return results;
}

async function buildStaged(
  db: DocumentScope<StoredDesignDocument>,
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
  db: DocumentScope<StoredDesignDocument>,
  id: string,
  doc: DesignDocument,
): Promise<void> {
  for (const [view, { reduce }] of Object.entries(doc.views ?? {}))
    await queryUntilBuilt(db, nameOf(id), view, reduce !== undefined);
}

/**
 * A long index build can outlast one HTTP request's timeout: ask again until it answers.
 * A view with a reduce is asked for one row, not reduced: pouchdb-server does not store
 * reductions, and reducing the whole view would read every row once more.
 */
async function queryUntilBuilt(
  db: DocumentScope<StoredDesignDocument>,
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
 * Opens the index of `views` through design document `id`, so that CouchDB counts `id`
 * among its users, without waiting for it to catch up. `update=lazy` also opens it on
 * the other copies of each shard of a cluster; pouchdb-server ignores it and brings the
 * index up to date (it is built already).
 */
async function openIndex(
  db: DocumentScope<StoredDesignDocument>,
  id: string,
  views: NonNullable<StoredDesignDocument['views']>,
): Promise<void> {
  const [view, definition] = Object.entries(views)[0] ?? [];
  if (view === undefined) return;
  const params = { limit: 0, update: 'lazy', ...(definition?.reduce ? { reduce: false } : {}) };
  try {
    await db.view(nameOf(id), view, params);
  } catch (err) {
    throw couchError(`opening the index of ${id}`, err);
  }
}

/**
 * Copies the views of the live version under its retired id, and opens their index
 * through it; undefined if it has no views.
 */
async function retire(
  db: DocumentScope<StoredDesignDocument>,
  live: StoredDesignDocument,
): Promise<string | undefined> {
  if (!live.views) return undefined;
  const id = retiredId(live._id);
  const previous = await getOptional(db, id);
  // What CouchDB's index signature is made of, so that the copy shares the live index.
  const copy: StoredDesignDocument = { _id: id, _rev: previous?._rev, views: live.views };
  if (live.language !== undefined) copy.language = live.language;
  if (live.options !== undefined) copy.options = live.options;
  await put(db, copy);
  await openIndex(db, id, live.views);
  return id;
}

async function drainRetired(
  server: ServerScope,
  dbName: string,
  retired: string,
  logger?: Logger,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, RETIRED_GRACE_MS));
  const drained = await waitForIndex(
    server,
    dbName,
    nameOf(retired),
    (index) => index.waitingClients === 0,
    { timeoutMs: RETIRED_DRAIN_TIMEOUT_MS },
  );
  if (!drained) {
    logger?.warn(
      { db: dbName, ddoc: retired, seconds: RETIRED_DRAIN_TIMEOUT_MS / 1000 },
      'queries still wait on the replaced index; removing it fails them',
    );
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
  db: DocumentScope<StoredDesignDocument>,
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
  const live = nameOf(doc._id);
  const staged = nameOf(stagingId(doc._id));
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

/** Removes a staging or retired copy; false if there was none. */
async function removeCopy(db: DocumentScope<StoredDesignDocument>, id: string): Promise<boolean> {
  const copy = await getOptional(db, id);
  if (!copy?._rev) return false;
  try {
    await db.destroy(id, copy._rev);
  } catch (err) {
    throw couchError(`removing the copy ${id}`, err);
  }
  return true;
}

async function cleanupViews(server: ServerScope, dbName: string): Promise<void> {
  try {
    await server.request({ db: dbName, method: 'post', path: '_view_cleanup' });
  } catch (err) {
    throw couchError(`cleaning up old view indexes of ${dbName}`, err);
  }
}

async function getOptional(
  db: DocumentScope<StoredDesignDocument>,
  id: string,
): Promise<StoredDesignDocument | undefined> {
  try {
    return await db.get(id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw couchError(`reading ${id}`, err);
  }
}

async function put(
  db: DocumentScope<StoredDesignDocument>,
  doc: StoredDesignDocument,
): Promise<void> {
  try {
    await db.insert(doc);
  } catch (err) {
    throw couchError(`writing ${doc._id}`, err);
  }
}

function nameOf(id: string): string {
  return id.slice('_design/'.length);
}
