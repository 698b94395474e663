/**
 * An exclusive lock on a folder that the kernel releases when its holder dies, even by
 * SIGKILL: LevelDB's `LOCK` file (an fcntl lock), taken by opening an empty LevelDB in
 * that folder. A lock file of our own would outlive a killed holder and need guessing
 * whether it is stale; this one cannot be stale. Node has no file locks of its own, and
 * `leveldown` is what pouchdb-adapter-leveldb already stores the data with.
 */
import { createRequire } from 'node:module';

export interface HeldLock {
  release(): Promise<void>;
}

interface LevelDown {
  open(options: { createIfMissing: boolean }, callback: (err: Error | null) => void): void;
  close(callback: (err: Error | null) => void): void;
}

const require = createRequire(import.meta.url);
/** leveldown as pouchdb-adapter-leveldb resolves it (the same build, no dependency of ours to keep in step). */
const leveldown = createRequire(require.resolve('pouchdb-adapter-leveldb/package.json'))(
  'leveldown',
) as (location: string) => LevelDown;

/** Takes the lock on `dir` (created if missing), or answers undefined when another holder has it. */
export async function tryLock(dir: string): Promise<HeldLock | undefined> {
  const db = leveldown(dir);
  const error = await new Promise<Error | null>((resolve) =>
    db.open({ createIfMissing: true }, resolve),
  );
  if (error) {
    // Another process: "Resource temporarily unavailable"; this process: "already held by process".
    if (/Resource temporarily unavailable|already held by process/.test(error.message)) {
      return undefined;
    }
    throw error;
  }
  return {
    release: () =>
      new Promise<void>((resolve) => {
        db.close(() => resolve());
      }),
  };
}

/** Whether some process holds the lock on `dir` now (taken and given back at once when free). */
export async function isLocked(dir: string): Promise<boolean> {
  const lock = await tryLock(dir);
  if (lock === undefined) return true;
  await lock.release();
  return false;
}
