/**
 * The running website: the HTTP server over an Express app and its workflow index, and a
 * `close()` that stops them in order. What it serves is composed in compose.ts
 * (`startWebsite`); the options are what the website is built from.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CouchTarget } from '../../couch/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { MemoryUse, ServerTuning } from './app.js';
import type { WorkflowIndex } from '../read-model/workflow-index.js';
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
  /**
   * What names the CouchDB in the index snapshot's identity (default: `reader.url`). The
   * embedded server listens on another port at every start: its data folder names it.
   */
  couchName?: string;
  /** How often a changed index is written to its snapshot (default 10 min). */
  snapshotIntervalMs?: number;
  /** Express "trust proxy" (STATS_TRUST_PROXY); none when undefined. */
  trustProxy?: string | number;
  /**
   * What "now" is for everything a page shows relative to it ("3d ago", the last update
   * run, today's dashboard windows, stuck days) and the second a page is kept for
   * (default: the system clock; the demo gives its simulated world's). Operational timing
   * (health probes, request durations, re-read ages, index lag) stays on the system clock.
   */
  clock?: Clock;
  tuning?: ServerTuning;
}

/** What serves the website's requests, and where its memory goes. */
export interface ComposedWebsite {
  listener: http.RequestListener;
  memoryUse(): MemoryUse;
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

/** Starts `index` and serves `website` on `options.host`:`options.port`. */
export async function serveWebsite(
  website: ComposedWebsite,
  index: WorkflowIndex,
  options: Pick<WebsiteOptions, 'host' | 'port' | 'prefix'>,
): Promise<RunningWebsite> {
  const ready = index.start();
  const serving = index.whenServing();

  const httpServer = http.createServer(website.listener);
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
    memoryUse: website.memoryUse,
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
