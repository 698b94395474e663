/**
 * One update run at a time: a lock document in the settings database, taken with a
 * create (CouchDB refuses a second create with 409), renewed while the run goes on, and
 * deleted at the end. A lock whose holder was killed expires after `ttlMs`; the next run
 * may then take it over (again guarded by `_rev`, so only one taker wins).
 */
import { hostname } from 'node:os';
import type { DocumentScope, ServerScope } from 'nano';
import { couchError, isConflict, isNotFound } from '../couch/errors.js';
import { Stats2Error } from '../lib/errors.js';

export const LOCK_ID = 'update_lock';

interface LockDocument {
  _id: typeof LOCK_ID;
  _rev?: string;
  owner: string;
  host: string;
  pid: number;
  acquired: string;
  /** Milliseconds since the epoch after which another run may take the lock over. */
  expires: number;
}

export class RunLockedError extends Stats2Error {
  constructor(holder: LockDocument) {
    super(
      `another update run holds the lock (pid ${holder.pid} on ${holder.host}, since ${holder.acquired}); ` +
        `it expires at ${new Date(holder.expires).toISOString()} if that run died. Try again later.`,
      { code: 'RUN_LOCKED', statusCode: 409 },
    );
  }
}

export interface RunLock {
  readonly owner: string;
  /** Stops renewing and deletes the lock. */
  release(): Promise<void>;
}

export interface RunLockOptions {
  ttlMs?: number;
  renewEveryMs?: number;
  now?: () => number;
}

export async function acquireRunLock(
  server: ServerScope,
  settingsDb: string,
  options: RunLockOptions = {},
): Promise<RunLock> {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const db = server.use<LockDocument>(settingsDb);
  const owner = `${hostname()}:${process.pid}:${now()}`;
  const lock: LockDocument = {
    _id: LOCK_ID,
    owner,
    host: hostname(),
    pid: process.pid,
    acquired: new Date(now()).toISOString(),
    expires: now() + ttlMs,
  };

  let rev = await take(db, lock, now);
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        try {
          rev = (await db.insert({ ...lock, _rev: rev, expires: now() + ttlMs })).rev;
        } catch {
          // A missed renewal only shortens the lock; the run itself goes on.
        }
      });
    },
    options.renewEveryMs ?? Math.max(1000, ttlMs / 4),
  );
  timer.unref();

  return {
    owner,
    release: async () => {
      clearInterval(timer);
      await renewing;
      try {
        await db.destroy(LOCK_ID, rev);
      } catch (err) {
        if (!isNotFound(err)) throw couchError('releasing the update lock', err);
      }
    },
  };
}

async function take(
  db: DocumentScope<LockDocument>,
  lock: LockDocument,
  now: () => number,
): Promise<string> {
  try {
    return (await db.insert(lock)).rev;
  } catch (err) {
    if (!isConflict(err)) throw couchError('taking the update lock', err);
  }
  let holder: LockDocument;
  try {
    holder = await db.get(LOCK_ID);
  } catch (err) {
    if (isNotFound(err)) return take(db, lock, now); // released in between
    throw couchError('reading the update lock', err);
  }
  if (holder.expires > now()) throw new RunLockedError(holder);
  try {
    return (await db.insert({ ...lock, _rev: holder._rev })).rev;
  } catch (err) {
    if (isConflict(err)) throw new RunLockedError(await db.get(LOCK_ID));
    throw couchError('taking over the expired update lock', err);
  }
}
