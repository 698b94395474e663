/**
 * The running website: reader connection, workflow index (read in the background),
 * Express app and HTTP server, and a `close()` that stops them in order. Used by
 * main.ts and by the tests.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type CouchTarget } from '../../couch/connection.js';
import { SettingsRepository } from '../../couch/settings.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import type { Logger } from '../../lib/logger.js';
import { createServer, type MemoryUse, type ServerTuning } from './app.js';
import { WorkflowIndex } from '../read-model/workflow-index.js';
import { couchWorkflowSource } from '../read-model/workflow-source.js';
import type { UpdateWorkflow } from './workflow-updates.js';

export interface WebsiteOptions {
  /** Where CouchDB is, with reader credentials at most. */
  reader: CouchTarget;
  databases: { requests: string; settings: string };
  host: string;
  /** 0 picks a free port. */
  port: number;
  prefix: string;
  updateToken: string | undefined;
  logger: Logger;
  /** The updater's one-workflow update; without it `api/update` answers 503. */
  updateWorkflow?: UpdateWorkflow;
  /** Pause between reads of the changes feed (default 1.5 s). */
  pollIntervalMs?: number;
  /** Folder of the index snapshot (index-snapshot.ts); without one every start reads everything. */
  snapshotDir?: string;
  /** How often a changed index is written to its snapshot (default 10 min). */
  snapshotIntervalMs?: number;
  /** Express "trust proxy" (STATS_TRUST_PROXY); none when undefined. */
  trustProxy?: string | number;
  tuning?: ServerTuning;
}

export interface RunningWebsite {
  /** e.g. http://127.0.0.1:8001/stats/ */
  url: string;
  /** Origin only, e.g. http://127.0.0.1:8001 */
  origin: string;
  index: WorkflowIndex;
  /** Resolves once the index is current and checked (/healthz says ok). */
  ready: Promise<void>;
  /** Resolves once pages answer (from a snapshot while catching up, or after a full read). */
  serving: Promise<void>;
  /** Where the memory goes (for the benchmark's report). */
  memoryUse(): MemoryUse;
  close(): Promise<void>;
}

export async function startWebsite(options: WebsiteOptions): Promise<RunningWebsite> {
  const server = connect(options.reader);
  const workflows = new WorkflowRepository(server, options.databases.requests);
  const settings = new SettingsRepository(server, options.databases.settings);
  const index = new WorkflowIndex({
    source: couchWorkflowSource(workflows, options.reader.url),
    logger: options.logger.child({ module: 'workflow-index' }),
    pollIntervalMs: options.pollIntervalMs,
    snapshotDir: options.snapshotDir,
    snapshotIntervalMs: options.snapshotIntervalMs,
  });
  const app = createServer({
    prefix: options.prefix,
    updateToken: options.updateToken,
    workflows,
    settings,
    index,
    logger: options.logger,
    updateWorkflow: options.updateWorkflow,
    trustProxy: options.trustProxy,
    tuning: options.tuning,
  });
  const ready = index.start();
  const serving = index.whenServing();

  const httpServer = http.createServer(app);
  httpServer.keepAliveTimeout = 65_000;
  httpServer.listen(options.port, options.host);
  try {
    await once(httpServer, 'listening');
  } catch (err) {
    await index.stop();
    throw err;
  }
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  return {
    url: `${origin}${options.prefix}/`,
    origin,
    index,
    ready,
    serving,
    memoryUse: () => (app.locals.memoryUse as () => MemoryUse)(),
    async close() {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      const forced = setTimeout(() => httpServer.closeAllConnections(), 5000);
      await closed;
      clearTimeout(forced);
      await index.stop();
    },
  };
}
