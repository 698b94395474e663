/**
 * One update run at a time: a lock document in the settings database, taken with a
 * create (CouchDB refuses a second create with 409), renewed while the run goes on, and
 * deleted at the end. A lock whose holder was killed expires after `ttlMs`; the next run
 * may then take it over (again guarded by `_rev`, so only one taker wins). A lock left by
 * a run of this very process that has ended (its release failed, e.g. CouchDB was down
 * then) is taken over at once: no run here holds it any more.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DocumentScope, ServerScope } from 'nano';
import { couchError, isConflict, isNotFound } from './errors.js';
import { Stats2Error } from '../lib/errors.js';

export const LOCK_ID = 'update_lock';

/** Owners of the locks that runs of this process hold or are taking now. */
const heldHere = new Set<string>();

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
  const owner = `${hostname()}:${process.pid}:${now()}:${randomBytes(4).toString('hex')}`;
  const lock: LockDocument = {
    _id: LOCK_ID,
    owner,
    host: hostname(),
    pid: process.pid,
    acquired: new Date(now()).toISOString(),
    expires: now() + ttlMs,
  };

  // Counted as held from the first attempt: its document may be written before the answer comes.
  heldHere.add(owner);
  let rev: string;
  try {
    rev = await take(db, lock, now);
  } catch (err) {
    heldHere.delete(owner);
    throw err;
  }
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
      heldHere.delete(owner);
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
  if (holder.expires > now() && !leftHere(holder)) throw new RunLockedError(holder);
  try {
    return (await db.insert({ ...lock, _rev: holder._rev })).rev;
  } catch (err) {
    if (isConflict(err)) throw new RunLockedError(await db.get(LOCK_ID));
    throw couchError('taking over the update lock', err);
  }
}

/** Left by a run of this process that is over: same host and pid, and no run here holds it. */
function leftHere(holder: LockDocument): boolean {
  return holder.host === hostname() && holder.pid === process.pid && !heldHere.has(holder.owner);
}
