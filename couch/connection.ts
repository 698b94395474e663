/**
 * The one place that knows how to reach CouchDB: a nano server scope over a keep-alive
 * undici pool, from either the configured URL or the embedded server.
 */
import path from 'node:path';
import Nano, { type ServerScope } from 'nano';
import { Agent } from 'undici';
import type { CouchConfig } from '../lib/config.js';
import { createLogger, outputFormatOf, type Logger } from '../lib/logger.js';
import { startEmbeddedCouch } from './embedded.js';
import { FailoverDispatcher } from './failover.js';

export interface CouchTarget {
  /** Base URL without credentials. */
  url: string;
  /** `Authorization` header value, when requests must authenticate. */
  authHeader?: string | undefined;
  /** Other nodes of the same cluster, asked when `url`'s node does not answer (couch/failover.ts). */
  failoverUrls?: readonly string[] | undefined;
}

export function connect(target: CouchTarget): ServerScope {
  // Generous timeouts: the first query of a view waits for its index build (minutes at scale).
  const agentOptions = {
    keepAliveTimeout: 10_000,
    connections: 32,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  };
  const pool = target.failoverUrls?.length
    ? new FailoverDispatcher([target.url, ...target.failoverUrls], agentOptions)
    : new Agent(agentOptions);
  return Nano({
    url: target.url,
    headers: target.authHeader ? { Authorization: target.authHeader } : {},
    // nano's typings ask for a class, its code wants an instance (lib/nano.js: `cfg.agent = cfg.agentOptions`).
    agentOptions: pool as unknown as Nano.Configuration['agentOptions'],
  });
}

export interface ResolvedCouch {
  /** Admin (write) access; `authHeader` may be undefined on an existing server without one. */
  admin: CouchTarget;
  /** Read-only access for the website: no write credentials. */
  reader: CouchTarget;
  /** True when this is the embedded server (shared with our other processes on the same data folder). */
  embedded: boolean;
  /** Lets go of the server: the embedded one stops when no other process of ours uses it. */
  stop(): Promise<void>;
}

/**
 * The configured CouchDB; else the embedded pouchdb-server under `STATS_DATA_DIR/couchdb`,
 * the one another process of ours already runs there or one started now, restarted if it
 * dies while this process uses it (told to `logger`). Anonymous visitors may read only
 * the two configured databases of an embedded server.
 */
export async function resolveCouch(
  config: CouchConfig,
  options: { inMemory?: boolean; logger?: Logger } = {},
): Promise<ResolvedCouch> {
  if (config.url !== undefined) {
    const failoverUrls = config.failoverUrls;
    const reader = readerTarget(config.readerUrl ?? config.url);
    return {
      admin: { url: config.url, authHeader: config.authHeader, failoverUrls },
      // The reader asks the same nodes when it reads from the node COUCHDB_URL names.
      reader:
        new URL(reader.url).origin === new URL(config.url).origin
          ? { ...reader, failoverUrls }
          : reader,
      embedded: false,
      stop: async () => {},
    };
  }
  const server = await startEmbeddedCouch({
    dir: path.join(config.dataDir, 'couchdb'),
    inMemory: options.inMemory ?? false,
    readableDatabases: [config.requestsDb, config.settingsDb],
    logger:
      options.logger ?? createLogger({ name: 'couchdb', level: 'warn', format: outputFormatOf() }),
  });
  return {
    admin: { url: server.url, authHeader: server.authHeader },
    reader: { url: server.url },
    embedded: true,
    stop: () => server.stop(),
  };
}

/** A reader URL may carry a reader account's credentials: move them into a header. */
function readerTarget(url: string): CouchTarget {
  const parsed = new URL(url);
  if (parsed.username === '') return { url };
  return credentialsAsHeader(parsed);
}

/** The URL without its credentials, and those as a Basic `Authorization` header (if any). */
export function credentialsAsHeader(parsed: URL): CouchTarget {
  const authHeader =
    parsed.username === ''
      ? undefined
      : `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
  const bare = new URL(parsed);
  bare.username = '';
  bare.password = '';
  return { url: bare.toString().replace(/\/+$/, ''), authHeader };
}
