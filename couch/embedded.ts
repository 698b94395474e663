/**
 * The embedded CouchDB: pouchdb-server started as a child process on a free loopback
 * port, with a generated admin, in its own working directory. Used when no COUCHDB_URL
 * (or DB_URL) is configured.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stats2Error } from '../lib/errors.js';

export interface EmbeddedCouch {
  /** Base URL without credentials, e.g. http://127.0.0.1:40123 */
  url: string;
  /** `Basic …` header of the generated admin. */
  authHeader: string;
  /** URL with the admin's credentials in it (for tools that want one string). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedCouchOptions {
  /** Working directory: config, log and (unless inMemory) the data. */
  dir: string;
  /** Keep databases in memory only (tests). */
  inMemory?: boolean;
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  startTimeoutMs?: number;
}

interface AdminCredentials {
  user: string;
  password: string;
}

const CHILD_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'embedded-child.js');

export async function startEmbeddedCouch(options: EmbeddedCouchOptions): Promise<EmbeddedCouch> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const admin = adminCredentials(options.dir);
  const configFile = path.join(options.dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      admins: { [admin.user]: admin.password },
      log: { file: path.join(options.dir, 'log.txt'), level: 'warning' },
    }),
    { mode: 0o600 },
  );

  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--config',
    configFile,
    '--no-stdout-logs',
  ];
  if (options.inMemory) args.push('--in-memory');
  else {
    const dataDir = path.join(options.dir, 'db');
    mkdirSync(dataDir, { recursive: true });
    args.push('--dir', dataDir + path.sep);
  }

  const child = fork(CHILD_ENTRY, args, {
    cwd: options.dir,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
    env: { PATH: process.env.PATH ?? '' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);

  const url = `http://127.0.0.1:${port}`;
  const authHeader = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
  try {
    await waitUntilReady(url, authHeader, child, options.startTimeoutMs ?? 20_000, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    process.removeListener('exit', stopOnExit);
    throw err;
  }

  const runningFile = path.join(options.dir, RUNNING_FILE);
  writeFileSync(runningFile, JSON.stringify({ url, pid: process.pid }), { mode: 0o600 });
  return {
    url,
    authHeader,
    adminUrl: `http://${encodeURIComponent(admin.user)}:${encodeURIComponent(admin.password)}@127.0.0.1:${port}`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      rmSync(runningFile, { force: true });
      await stopChild(child);
    },
  };
}

const RUNNING_FILE = 'running.json';

/**
 * The embedded server another process (the demo, the website) already runs on `dir`, if
 * any: a second pouchdb-server cannot open the same data. Returns its URL and admin header.
 */
export async function findRunningEmbeddedCouch(
  dir: string,
): Promise<{ url: string; authHeader: string } | undefined> {
  let running: { url: string; pid: number };
  try {
    running = JSON.parse(readFileSync(path.join(dir, RUNNING_FILE), 'utf8')) as {
      url: string;
      pid: number;
    };
  } catch {
    return undefined;
  }
  const admin = adminCredentials(dir);
  const authHeader = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
  // A stale file (its process died) points at a port nobody answers on.
  return (await answersAsAdmin(running.url, authHeader))
    ? { url: running.url, authHeader }
    : undefined;
}

/** `/_up` does not exist on pouchdb-server; an authenticated `/_session` proves the admin works. */
async function answersAsAdmin(url: string, authHeader: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_session`, { headers: { authorization: authHeader } });
    const body = (await response.json()) as { userCtx?: { roles?: string[] } };
    return response.ok && body.userCtx?.roles?.includes('_admin') === true;
  } catch {
    return false;
  }
}

/** The admin of an on-disk server must stay the same across restarts: keep it beside the data. */
function adminCredentials(dir: string): AdminCredentials {
  const file = path.join(dir, 'admin.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as AdminCredentials;
  const credentials = { user: 'admin', password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
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

async function waitUntilReady(
  url: string,
  authHeader: string,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Stats2Error(
        `the embedded CouchDB (pouchdb-server) exited with code ${exited} while starting: ${stderr().trim() || 'no output'}`,
        { code: 'COUCH_EMBEDDED_START' },
      );
    }
    if (await answersAsAdmin(url, authHeader)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Stats2Error(
    `the embedded CouchDB did not answer at ${url} within ${timeoutMs} ms: ${stderr().trim() || 'no output'}`,
    { code: 'COUCH_EMBEDDED_START' },
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
