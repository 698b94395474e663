/**
 * The embedded CouchDB as its users see it: pouchdb-server (behind our guard) in a process
 * of its own on a loopback port, with a generated admin, shared by every process of ours
 * that works on the same folder. Used when no COUCHDB_URL (or DB_URL) is configured.
 *
 * Who owns the server's life: nobody alone. Every process that uses it holds a lease (an
 * open admin request); the server exits when the last lease ends, whether released or
 * cut by the kernel because its holder died. So a command that started the server and
 * exits leaves it to the others still using it, and a killed one leaves nothing behind.
 * Starting is race-free: one process at a time holds `start.lock` (a kernel lock, freed
 * even by kill -9); it uses a server that is already running, or starts one and waits
 * until it answers; the others wait for that and use it. If the server dies under its
 * users, each of them tries to start it again on the same port (with backoff, logged);
 * the start lock lets one win, the rest take leases on its server.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stats2Error, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { isLocked, tryLock } from './embedded-lock.js';
import {
  ADMIN_FILE,
  EXIT_BUSY,
  EXIT_PORT_TAKEN,
  LEASE_PATH,
  RUNNING_FILE,
  SERVER_LOCK,
  SERVER_LOG,
  START_LOCK,
  processAlive,
  serverProcesses,
  type AdminCredentials,
  type RunningServer,
  type ServerOptions,
} from './embedded-protocol.js';

export interface EmbeddedCouch {
  /** Base URL without credentials, e.g. http://127.0.0.1:40123 */
  url: string;
  /** `Basic …` header of the generated admin. */
  authHeader: string;
  /** URL with the admin's credentials in it (for tools that want one string). */
  adminUrl: string;
  /** The server process now (it changes when the server is restarted). */
  pid(): number;
  /** Ends this process's lease; the server stops when no other process holds one. */
  stop(): Promise<void>;
}

export interface EmbeddedCouchOptions {
  /** The server's folder: admin, config, logs, locks and (unless inMemory) the data. */
  dir: string;
  /** Keep databases in memory only (tests). */
  inMemory?: boolean;
  /** Port to listen on when this call starts the server; a free one is picked when omitted. */
  port?: number;
  /** Databases anonymous visitors may read (`*` matches any characters); everything else needs the admin. */
  readableDatabases?: readonly string[];
  /** How long to wait for a server to answer, whoever starts it (default 60 s). */
  startTimeoutMs?: number;
  /** Where restarts of a server that died are told. */
  logger?: Logger;
}

const CHILD_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'embedded-child.js');
/** How long a server process may hold the folder without answering before it counts as stale. */
const STALE_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** Uses the server running on `options.dir`, or starts it; either way holds a lease until `stop()`. */
export async function startEmbeddedCouch(options: EmbeddedCouchOptions): Promise<EmbeddedCouch> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const admin = adminCredentials(options.dir);
  const authHeader = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
  const context: StartContext = {
    ...options,
    readableDatabases: [...(options.readableDatabases ?? [])],
    authHeader,
    timeoutMs: options.startTimeoutMs ?? 60_000,
  };
  let lease = await ensureServer(context, options.port);
  const url = lease.url;
  const port = new URL(url).port;
  let stopped = false;
  const stopping = new AbortController();
  let restarting: Promise<void> | undefined;

  const watch = (current: Lease) => {
    void current.lost.then(() => {
      if (stopped) return;
      restarting = restart(context, Number(port), options.logger, stopping.signal).then((next) => {
        restarting = undefined;
        if (next === undefined) return;
        lease = next;
        watch(next);
      });
    });
  };
  watch(lease);

  return {
    url,
    authHeader,
    adminUrl: `http://${encodeURIComponent(admin.user)}:${encodeURIComponent(admin.password)}@127.0.0.1:${port}`,
    pid: () => lease.pid,
    stop: async () => {
      stopped = true;
      stopping.abort();
      await restarting;
      await lease.release();
    },
  };
}

interface StartContext extends Omit<EmbeddedCouchOptions, 'readableDatabases'> {
  readableDatabases: string[];
  authHeader: string;
  timeoutMs: number;
}

/** Starts the server again on the same port after it died, until it answers or `stopped()`. */
async function restart(
  context: StartContext,
  port: number,
  logger: Logger | undefined,
  stopped: AbortSignal,
): Promise<Lease | undefined> {
  logger?.warn({ dir: context.dir, port }, 'the embedded CouchDB stopped; starting it again');
  for (let attempt = 1; !stopped.aborted; attempt++) {
    try {
      const lease = await ensureServer(context, port, stopped);
      if (stopped.aborted) {
        await lease.release();
        return undefined;
      }
      if (lease.url !== `http://127.0.0.1:${port}`) {
        // Its port was taken meanwhile: this process's connections still point at the old one.
        logger?.error(
          { url: lease.url, port },
          `the embedded CouchDB came back at ${lease.url}, not on port ${port}; restart this process to use it`,
        );
      } else {
        logger?.info({ port, pid: lease.pid, attempt }, 'the embedded CouchDB answers again');
      }
      return lease;
    } catch (err) {
      const delay = Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** attempt);
      logger?.error(
        { err, attempt, retryInMs: delay },
        `the embedded CouchDB could not be started again: ${errorMessage(err)}; retrying in ${delay} ms`,
      );
      await sleep(delay, stopped);
    }
  }
  return undefined;
}

/**
 * A lease on the server of `context.dir`: the one running, or one started now (on `port`
 * when given, else on a free port). At most one process starts a server at a time.
 */
async function ensureServer(
  context: StartContext,
  port: number | undefined,
  signal?: AbortSignal,
): Promise<Lease> {
  const deadline = Date.now() + context.timeoutMs;
  // The folder's previous port first, so that processes still holding its address (a
  // website whose server died) find the new server there; a free one if it is taken.
  let wanted: { port: number; strict: boolean } | undefined =
    port !== undefined
      ? { port, strict: true }
      : previousPort(context.dir) !== undefined
        ? { port: previousPort(context.dir) as number, strict: false }
        : undefined;
  while (Date.now() < deadline && !signal?.aborted) {
    const running = await leaseRunning(context);
    if (running) return running;
    const startLock = await tryLock(path.join(context.dir, START_LOCK));
    if (startLock === undefined) {
      await sleep(200); // another process is starting it: its server is used once it answers
      continue;
    }
    try {
      const again = await leaseRunning(context);
      if (again) return again;
      await waitForServerLockFree(context.dir, deadline);
      const started = await startServer(context, wanted, deadline, signal);
      if (started === 'port taken') wanted = undefined;
      else if (started) return started;
    } finally {
      await startLock.release();
    }
  }
  if (signal?.aborted) throw new Stats2Error('stopped', { code: 'COUCH_EMBEDDED_STOPPED' });
  throw new Stats2Error(
    `the embedded CouchDB in ${context.dir} did not answer within ${context.timeoutMs} ms: ${logTail(context.dir)}`,
    { code: 'COUCH_EMBEDDED_START' },
  );
}

/** A lease on the live server of the folder, if there is one (a server that is stopping counts as none). */
async function leaseRunning(context: StartContext): Promise<Lease | undefined> {
  const running = readRunning(context.dir);
  if (running === undefined || !processAlive(running.pid)) return undefined;
  // The pid may be anyone's by now if the server was killed: only a process holding the
  // server lock is ours, and credentials go nowhere else.
  if (!(await isLocked(path.join(context.dir, SERVER_LOCK)))) return undefined;
  return takeLease(running.url, context).catch(() => undefined);
}

/**
 * Waits while a server process still holds the folder (one that is stopping lets go
 * within a second or two); one that holds it for `STALE_AFTER_MS` without answering is
 * stale (wedged, or a child of an older version) and is ended.
 */
async function waitForServerLockFree(dir: string, deadline: number): Promise<void> {
  const staleAt = Date.now() + STALE_AFTER_MS;
  while (await isLocked(path.join(dir, SERVER_LOCK))) {
    if (Date.now() > staleAt) {
      for (const pid of serverProcesses(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
    if (Date.now() > deadline) {
      throw new Stats2Error(
        `another process holds the embedded CouchDB folder ${dir} and does not answer; stop it (see ${path.join(dir, SERVER_LOG)})`,
        { code: 'COUCH_EMBEDDED_START' },
      );
    }
    await sleep(100);
  }
}

/**
 * Spawns the server process and takes a lease on it; undefined when it must be tried
 * again, 'port taken' when it must be tried again on a free port.
 */
async function startServer(
  context: StartContext,
  wanted: { port: number; strict: boolean } | undefined,
  deadline: number,
  signal?: AbortSignal,
): Promise<Lease | 'port taken' | undefined> {
  const port = wanted?.port ?? (await freePort());
  const options: ServerOptions = {
    dir: context.dir,
    port,
    inMemory: context.inMemory ?? false,
    readableDatabases: context.readableDatabases,
    starterPid: process.pid,
  };
  rmSync(path.join(context.dir, RUNNING_FILE), { force: true });
  const log = openSync(path.join(context.dir, SERVER_LOG), 'w', 0o600);
  const child = spawn(process.execPath, [CHILD_ENTRY, JSON.stringify(options)], {
    cwd: context.dir,
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env.PATH ?? '' },
  });
  closeSync(log);
  child.unref();
  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => (exitCode = signal ? -1 : code));
  child.once('error', () => (exitCode = -1));

  while (Date.now() < deadline && !signal?.aborted) {
    if (exitCode !== undefined) {
      if (exitCode === EXIT_BUSY) return undefined;
      if (exitCode === EXIT_PORT_TAKEN && wanted?.strict !== true) return 'port taken';
      throw new Stats2Error(
        exitCode === EXIT_PORT_TAKEN
          ? `the embedded CouchDB cannot listen on port ${port}: another program uses it`
          : `the embedded CouchDB (pouchdb-server) exited with code ${exitCode} while starting: ${logTail(context.dir)}`,
        { code: 'COUCH_EMBEDDED_START' },
      );
    }
    const running = readRunning(context.dir);
    if (running !== undefined && running.pid === child.pid) return takeLease(running.url, context);
    await sleep(50);
  }
  child.kill('SIGKILL');
  return undefined; // the caller reports the timeout
}

interface Lease {
  url: string;
  pid: number;
  /** Resolves when the lease ends for any reason but `release()`: the server died. */
  lost: Promise<void>;
  /** Ends the lease; when it was the last one, waits until the server has exited. */
  release(): Promise<void>;
}

/** `POST /_stats2/lease`: the answer's first line names the lease, the rest stays open while it lasts. */
function takeLease(url: string, context: StartContext): Promise<Lease> {
  const databases = encodeURIComponent(context.readableDatabases.join(','));
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${LEASE_PATH}?databases=${databases}`, {
      method: 'POST',
      agent: false,
      headers: { authorization: context.authHeader },
    });
    request.on('error', reject); // after the lease is granted, `lost` tells what matters
    request.setTimeout(10_000, () => request.destroy(new Error('no lease within 10 s')));
    request.once('response', (response) => {
      response.on('error', () => undefined); // a cut connection also closes: `lost`
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`lease refused with HTTP ${response.statusCode}`));
        return;
      }
      let released = false;
      const lost = new Promise<void>((resolveLost) => {
        response.once('close', () => {
          if (!released) resolveLost();
        });
      });
      response.setEncoding('utf8');
      let buffered = '';
      const onData = (chunk: string) => {
        buffered += chunk;
        const newline = buffered.indexOf('\n');
        if (newline === -1) return;
        response.off('data', onData);
        response.resume();
        response.socket.unref(); // a lease never keeps its process alive
        request.setTimeout(0); // and lasts however quiet it is
        const { lease, pid } = JSON.parse(buffered.slice(0, newline)) as {
          lease: string;
          pid: number;
        };
        resolve({
          url,
          pid,
          lost,
          release: async () => {
            released = true;
            const remaining = await endLease(url, lease, context.authHeader);
            request.destroy();
            if (remaining === 0) await waitForExit(pid, 5000);
          },
        });
      };
      response.on('data', onData);
      response.once('close', () => reject(new Error('the lease ended before it was granted')));
    });
    request.end();
  });
}

/** How many leases the server still has after this one, or undefined when it did not answer. */
async function endLease(
  url: string,
  lease: string,
  authHeader: string,
): Promise<number | undefined> {
  try {
    const response = await fetch(`${url}${LEASE_PATH}/${lease}`, {
      method: 'DELETE',
      headers: { authorization: authHeader },
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { remaining?: number };
    return body.remaining;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid) && Date.now() < deadline) await sleep(25);
}

/** The port the folder's last server listened on (its running.json may be left from a kill). */
function previousPort(dir: string): number | undefined {
  return readRunning(dir)?.port;
}

function readRunning(dir: string): RunningServer | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, RUNNING_FILE), 'utf8')) as RunningServer;
  } catch {
    return undefined;
  }
}

/**
 * The admin of a folder stays the same across restarts: kept beside the data. Created
 * whole under a temporary name and linked into place, so processes starting at once on a
 * fresh folder all end up with the same one.
 */
function adminCredentials(dir: string): AdminCredentials {
  const file = path.join(dir, ADMIN_FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AdminCredentials;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const candidate = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const credentials = { user: 'admin', password: randomBytes(18).toString('base64url') };
  writeFileSync(candidate, JSON.stringify(credentials), { mode: 0o600 });
  try {
    linkSync(candidate, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(candidate, { force: true });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as AdminCredentials;
}

function logTail(dir: string): string {
  try {
    return readFileSync(path.join(dir, SERVER_LOG), 'utf8').trim().slice(-2000) || 'no output';
  } catch {
    return 'no output';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
