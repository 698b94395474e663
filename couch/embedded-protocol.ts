/**
 * What the embedded CouchDB process and the processes that use it agree on: the files in
 * its folder, its exit codes, the lease address and its options. No imports beyond
 * node's own: the child reads this before anything heavy is loaded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** `{user, password}` of the generated admin, mode 0600. */
export const ADMIN_FILE = 'admin.json';
/** `RunningServer` of the live server, written once it listens, removed when it stops. */
export const RUNNING_FILE = 'running.json';
/** Held by whoever is starting a server (at most one process at a time). */
export const START_LOCK = 'start.lock';
/** Held by the server process for its whole life. */
export const SERVER_LOCK = 'server.lock';
/** The server process's own output (its log lines, pouchdb-server's messages). */
export const SERVER_LOG = 'server.log';

/** `POST` takes a lease (the answer stays open while it lasts), `DELETE …/<id>` ends one. */
export const LEASE_PATH = '/_stats2/lease';

/** Another server process holds the folder. */
export const EXIT_BUSY = 75;
/** The port asked for is taken. */
export const EXIT_PORT_TAKEN = 76;

export interface AdminCredentials {
  user: string;
  password: string;
}

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
}

export interface ServerOptions {
  /** The server's folder: admin, config, logs, locks and (unless inMemory) the data. */
  dir: string;
  /** 0: any free port. */
  port: number;
  inMemory: boolean;
  /** Databases anonymous visitors may read (`*` matches any characters). */
  readableDatabases: string[];
  /** The process that starts the server: until it (or another) takes a lease, the server lives only while it does. */
  starterPid: number;
}

/** Alive, and not a zombie its parent has yet to collect (Linux; elsewhere a signal-0 probe). */
export function processAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Processes serving `dir` as an embedded CouchDB, found by their command line (Linux,
 * through /proc; elsewhere none are found): ours, and pouchdb-server children of older
 * versions, which took `--dir <dir>/db/`.
 */
export function serverProcesses(dir: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const markers = [`${dir}${path.sep}`, JSON.stringify(dir).slice(1, -1) + '"'];
  return pids.map(Number).filter((pid) => {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return false;
    }
    return (
      args.some((arg) => /embedded-child\.js$|pouchdb-server/.test(arg)) &&
      args.some((arg) => markers.some((marker) => arg.includes(marker))) &&
      processAlive(pid)
    );
  });
}
