/**
 * The embedded CouchDB process (run by embedded-child.ts): express-pouchdb behind the
 * guard (embedded-guard.ts) on one loopback port. It owns the data folder while it runs
 * (`server.lock`, released by the kernel when this process dies), answers every request
 * or a 500 (a failure inside pouchdb-server is logged and contained, never fatal), and
 * lives exactly as long as some process of ours uses it: each user holds a lease (a
 * long-lived admin request, `POST /_stats2/lease`); when the last lease ends (released,
 * or its process died and the kernel closed the connection) the server exits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createLogger } from '../lib/logger.js';
import {
  authorize,
  digestOfCredentials,
  ReadableDatabases,
  type GuardRules,
} from './embedded-guard.js';
import { tryLock, type HeldLock } from './embedded-lock.js';
import { embeddedMapReduce } from './embedded-mapreduce.js';
import {
  ADMIN_FILE,
  EXIT_BUSY,
  EXIT_PORT_TAKEN,
  LEASE_PATH,
  processAlive,
  serverProcesses,
  RUNNING_FILE,
  SERVER_LOCK,
  type AdminCredentials,
  type RunningServer,
  type ServerOptions,
} from './embedded-protocol.js';

const logger = createLogger({ level: 'info', name: 'embedded-couchdb' });

/** Starts serving; `onFirstLease` is called when the first user has taken a lease. */
export async function runEmbeddedServer(
  options: ServerOptions,
  onFirstLease: () => void,
): Promise<void> {
  const lock = await takeServerLock(options.dir);
  if (lock === undefined) {
    logger.warn({ dir: options.dir }, 'another embedded CouchDB holds this folder');
    process.exit(EXIT_BUSY);
  }
  await endStrayServers(options.dir);

  const admin = JSON.parse(
    readFileSync(path.join(options.dir, ADMIN_FILE), 'utf8'),
  ) as AdminCredentials;
  const readable = new ReadableDatabases(options.readableDatabases);
  const rules: GuardRules = {
    adminDigest: digestOfCredentials(admin.user, admin.password),
    readable: (db) => readable.has(db),
  };
  const pouchApp = await createPouchApp(options, admin);
  const requests = new AsyncLocalStorage<ServerResponse>();
  containFailures(requests);

  const leases = new Map<string, ServerResponse>();
  let stopping = false;
  const server = http.createServer((req, res) =>
    requests.run(res, () => {
      try {
        handle(req, res);
      } catch (err) {
        failed(err, res);
      }
    }),
  );

  // Clients keep idle connections for 10 s (couch/connection.ts): the server must keep them
  // longer, or a request sent as the server closes an idle connection is cut ("other side closed").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const verdict = authorize(method, url, req.headers.authorization, rules);
    if (!verdict.allow) {
      sendJson(res, verdict.status, { error: verdict.error, reason: verdict.reason });
      return;
    }
    if (!verdict.admin) delete req.headers.cookie; // no session cookie lifts an anonymous request
    const pathname = url.split('?')[0] as string;
    if (pathname === '/_up') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (verdict.admin && (pathname === LEASE_PATH || pathname.startsWith(`${LEASE_PATH}/`))) {
      lease(req, res, new URL(url, 'http://localhost'));
      return;
    }
    pouchApp(req, res);
  }

  function lease(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const releaseId = url.pathname.slice(LEASE_PATH.length + 1);
    if (req.method === 'DELETE' && releaseId !== '') {
      const held = leases.get(releaseId);
      if (held === undefined) {
        sendJson(res, 404, { error: 'not_found', reason: 'no such lease' });
        return;
      }
      leases.delete(releaseId);
      held.end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, remaining: leases.size }), () => leaseEnded());
      return;
    }
    if (req.method !== 'POST' || releaseId !== '') {
      sendJson(res, 405, {
        error: 'method_not_allowed',
        reason: 'POST to take a lease, DELETE to end one',
      });
      return;
    }
    if (stopping) {
      sendJson(res, 503, { error: 'service_unavailable', reason: 'the server is stopping' });
      return;
    }
    readable.add((url.searchParams.get('databases') ?? '').split(',').filter(Boolean));
    const id = randomUUID();
    leases.set(id, res);
    req.socket.setTimeout(0);
    req.socket.setKeepAlive(true, 1000);
    res.on('close', () => {
      if (leases.delete(id)) leaseEnded();
    });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(`${JSON.stringify({ ok: true, lease: id, pid: process.pid })}\n`);
    onFirstLease();
  }

  function leaseEnded(): void {
    if (leases.size === 0) void shutdown('no process uses it any more');
  }

  async function shutdown(reason: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping');
    removeRunningFile(options.dir);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 2000);
    await closed;
    clearTimeout(force);
    await lock?.release();
    process.exit(0);
  }

  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') {
      logger.error({ port: options.port }, `port ${options.port} is taken by another program`);
      process.exit(EXIT_PORT_TAKEN);
    }
    logger.fatal({ err }, 'the server failed');
    process.exit(1);
  });
  server.listen(options.port, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const running: RunningServer = { url: `http://127.0.0.1:${port}`, port, pid: process.pid };
    const file = path.join(options.dir, RUNNING_FILE);
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(running), { mode: 0o600 });
    renameSync(`${file}.${process.pid}`, file);
    logger.info({ url: running.url, inMemory: options.inMemory }, 'listening');
  });
}

/** A server being started right now may still hold the lock for a moment after it was checked. */
async function takeServerLock(dir: string): Promise<HeldLock | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const lock = await tryLock(path.join(dir, SERVER_LOCK));
    if (lock) return lock;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/**
 * Other processes serving this folder are stale by definition now that this one holds
 * the lock: e.g. a child of an older version that outlived its parent and still holds the
 * LevelDB files. Ends them.
 */
async function endStrayServers(dir: string): Promise<void> {
  const ended: number[] = [];
  for (const pid of serverProcesses(dir)) {
    if (pid === process.pid) continue;
    logger.warn({ pid, dir }, 'ending a stale embedded CouchDB that still held this folder');
    try {
      process.kill(pid, 'SIGKILL');
      ended.push(pid);
    } catch {
      // gone already
    }
  }
  // The kernel frees the LevelDB locks of a killed process as it goes.
  const deadline = Date.now() + 5000;
  while (ended.some(processAlive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * express-pouchdb with the PouchDB that pouchdb-server would build (its own modules,
 * resolved from it): LevelDB on disk or memory, HTTP, replication and map/reduce. Our own
 * composition instead of pouchdb-server's entry point, because that one listens by itself
 * and leaves no place for a guard in front of every request.
 */
async function createPouchApp(
  options: ServerOptions,
  admin: AdminCredentials,
): Promise<RequestHandler> {
  const configFile = path.join(options.dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      admins: { [admin.user]: admin.password },
      log: { file: path.join(options.dir, 'log.txt'), level: 'warning' },
    }),
    { mode: 0o600 },
  );
  const fromServer = createRequire(
    createRequire(import.meta.url).resolve('pouchdb-server/package.json'),
  );
  interface PouchDBClass {
    plugin(plugin: unknown): PouchDBClass;
    defaults(options: Record<string, unknown>): PouchDBClass;
  }
  let PouchDB = (fromServer('pouchdb-core') as PouchDBClass)
    .plugin(fromServer('pouchdb-adapter-http'))
    .plugin(fromServer('pouchdb-replication'))
    .plugin(embeddedMapReduce(fromServer.resolve('pouchdb-mapreduce/package.json')));
  if (options.inMemory) {
    PouchDB = PouchDB.plugin(fromServer('pouchdb-adapter-memory')).defaults({});
  } else {
    const dataDir = path.join(options.dir, 'db');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    PouchDB = PouchDB.plugin(fromServer('pouchdb-adapter-leveldb')).defaults({
      prefix: dataDir + path.sep,
    });
  }
  const expressPouchDB = fromServer('express-pouchdb') as (options: unknown) => RequestHandler & {
    setPouchDB(pouch: PouchDBClass): Promise<void>;
  };
  const app = expressPouchDB({
    configPath: configFile,
    // No web UI, and no test-only authentication handler.
    overrideMode: { exclude: ['routes/fauxton', 'routes/special-test-auth'] },
  });
  await app.setPouchDB(PouchDB);
  return app;
}

/**
 * pouchdb-server throws from callbacks and leaves promises rejected on some requests,
 * which would end the process. Each request runs in its own async context, so such a
 * failure is traced to its request: that one gets a 500, the rest goes on.
 */
function containFailures(requests: AsyncLocalStorage<ServerResponse>): void {
  const contain = (err: unknown) => failed(err, requests.getStore());
  process.on('uncaughtException', contain);
  process.on('unhandledRejection', contain);
}

function failed(err: unknown, res: ServerResponse | undefined): void {
  const request = res?.req ? `${res.req.method} ${res.req.url?.split('?')[0]}` : undefined;
  logger.error({ err, request }, 'a request failed inside pouchdb-server; the server goes on');
  if (res === undefined || res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, {
    error: 'internal_server_error',
    reason: 'The server failed on this request; the failure is logged.',
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

function removeRunningFile(dir: string): void {
  const file = path.join(dir, RUNNING_FILE);
  try {
    const running = JSON.parse(readFileSync(file, 'utf8')) as RunningServer;
    if (running.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // not there, or not ours
  }
}
