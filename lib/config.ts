/**
 * Configuration: read once, here, from the environment into one typed object.
 * Nothing else in the project reads `process.env`. Secrets can come from `<NAME>_FILE`
 * (a path to a file holding the value), which is how systemd credentials deliver them.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';

export type Env = Record<string, string | undefined>;

export interface CouchConfig {
  /**
   * Where CouchDB is. `undefined` means "start the embedded pouchdb-server" (no
   * COUCHDB_URL / DB_URL given).
   */
  url: string | undefined;
  /** `Authorization` header for writes (from the URL's credentials or STATS_DB_AUTH_HEADER). */
  authHeader: string | undefined;
  /** URL the website reads with: COUCHDB_READER_URL, else `url` without credentials. */
  readerUrl: string | undefined;
  /** Other nodes of the cluster `url` names, asked when it does not answer (COUCHDB_FAILOVER_URLS). */
  failoverUrls: string[];
  requestsDb: string;
  settingsDb: string;
  /** Folder of the embedded server's data (on disk) when it is used; absolute. */
  dataDir: string;
}

export interface UpstreamConfig {
  cmswebUrl: string;
  cmswebProdUrl: string;
  ssoUrl: string;
  pdmvProdUrl: string;
  pdmvDevUrl: string;
  certFile: string | undefined;
  keyFile: string | undefined;
  caDir: string | undefined;
  /** Concurrent requests in flight per upstream host. */
  concurrency: { reqmgr: number; dbs: number; wmstats: number; pdmv: number };
  /** Per-request timeouts in milliseconds. */
  timeoutMs: { default: number; wmstats: number; callback: number };
  retries: number;
}

export interface CallbackConfig {
  clientId: string | undefined;
  clientSecret: string | undefined;
  prodAudience: string | undefined;
  devAudience: string | undefined;
}

export interface WebConfig {
  host: string;
  port: number;
  prefix: string;
  /** Bearer token that allows POST api/update; the endpoint is off without one. */
  updateToken: string | undefined;
  /**
   * Which proxies' X-Forwarded-For the website believes (Express "trust proxy": a hop
   * count, or addresses, subnets and loopback/linklocal/uniquelocal); none when unset.
   */
  trustProxy: string | number | undefined;
  /** Folder of the website's index snapshot: undefined for `website/` in the data folder, false for none. */
  snapshotDir: string | false | undefined;
}

/** `--action schedule`: the in-process scheduler for hosts without systemd timers. */
export interface ScheduleConfig {
  /** Cron expressions as given (checked by the scheduler, which knows the syntax). */
  updateCron: string | undefined;
  compactCron: string | undefined;
  /** Program and first arguments of each job (the job's `--action …` is appended); default: this node and cli.js. */
  jobCommand: string[] | undefined;
  /** How long a stop waits for a running job before terminating it. */
  stopTimeoutMs: number;
}

export interface Config {
  couch: CouchConfig;
  upstream: UpstreamConfig;
  callbacks: CallbackConfig;
  web: WebConfig;
  schedule: ScheduleConfig;
  demo: DemoConfig;
  updater: UpdaterConfig;
  logLevel: string;
}

export interface UpdaterConfig {
  /** `_changes` rows per page; the feed position is saved after each page. */
  pageSize: number;
  /** Workflows handled together (one DBS datasetlist round, one bulk write). */
  batchSize: number;
  /** A lock left by a killed run expires after this many seconds. */
  lockTtlSeconds: number;
  /**
   * STATS_CLOCK_URL: where the commands that stamp times read "now" from (the demo's
   * simulator, via its sim.env); undefined: the system clock.
   */
  clockUrl: string | undefined;
}

/** `--action demo`: the simulated world it runs on and how fast its time goes. */
export interface DemoConfig {
  seed: number;
  workflows: number;
  active: number;
  /** Wall-clock seconds between two incremental updates. */
  tickSeconds: number;
  /** Simulated seconds that pass at each tick. */
  simulatedSecondsPerTick: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Without STATS_DATA_DIR: `data/` in the folder that holds `build/` (this file is
 * `build/lib/config.js`), so every command finds the same data from any working directory.
 */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../data', import.meta.url));

export function loadConfig(env: Env = process.env): Config {
  const couchUrl = optional(env, 'COUCHDB_URL') ?? optional(env, 'DB_URL');
  const url = couchUrl === undefined ? undefined : httpUrl('COUCHDB_URL', couchUrl);
  const authHeader =
    secret(env, 'STATS_DB_AUTH_HEADER') ?? (url === undefined ? undefined : basicAuthOf(url));
  const readerUrl = optional(env, 'COUCHDB_READER_URL');

  return {
    couch: {
      url: url === undefined ? undefined : withoutCredentials(url),
      authHeader,
      readerUrl:
        readerUrl !== undefined
          ? withoutTrailingSlash(httpUrl('COUCHDB_READER_URL', readerUrl).toString())
          : url === undefined
            ? undefined
            : withoutCredentials(url),
      failoverUrls: failoverUrls(env, url),
      requestsDb: dbName(env, 'REQUESTS_DB', 'requests'),
      settingsDb: dbName(env, 'SETTINGS_DB', 'settings'),
      dataDir: path.resolve(optional(env, 'STATS_DATA_DIR') ?? DEFAULT_DATA_DIR),
    },
    upstream: {
      cmswebUrl: baseUrl(env, 'CMSWEB_URL', 'https://cmsweb.cern.ch'),
      cmswebProdUrl: baseUrl(env, 'CMSWEB_PROD_URL', 'https://cmsweb-prod.cern.ch:8443'),
      ssoUrl: baseUrl(env, 'SSO_URL', 'https://auth.cern.ch'),
      pdmvProdUrl: baseUrl(env, 'PDMV_PROD_URL', 'https://cms-pdmv-prod.web.cern.ch'),
      pdmvDevUrl: baseUrl(env, 'PDMV_DEV_URL', 'https://cms-pdmv-dev.web.cern.ch'),
      certFile:
        optional(env, 'USERCRT') ??
        optional(env, 'X509_USER_CERT') ??
        optional(env, 'X509_USER_PROXY'),
      keyFile:
        optional(env, 'USERKEY') ??
        optional(env, 'X509_USER_KEY') ??
        optional(env, 'X509_USER_PROXY'),
      caDir: optional(env, 'X509_CERT_DIR'),
      concurrency: {
        reqmgr: positiveInt(env, 'REQMGR_CONCURRENCY', 8),
        dbs: positiveInt(env, 'DBS_CONCURRENCY', 8),
        wmstats: 1,
        pdmv: positiveInt(env, 'CALLBACK_CONCURRENCY', 4),
      },
      timeoutMs: {
        default: positiveInt(env, 'UPSTREAM_TIMEOUT_S', 90) * 1000,
        wmstats: positiveInt(env, 'WMSTATS_TIMEOUT_S', 600) * 1000,
        callback: positiveInt(env, 'CALLBACK_TIMEOUT_S', 20) * 1000,
      },
      retries: nonNegativeInt(env, 'UPSTREAM_RETRIES', 3),
    },
    callbacks: {
      clientId: optional(env, 'CALLBACK_CLIENT_ID'),
      clientSecret: secret(env, 'CALLBACK_CLIENT_SECRET'),
      prodAudience: optional(env, 'APPLICATION_CLIENT_ID'),
      devAudience: optional(env, 'DEV_APPLICATION_CLIENT_ID'),
    },
    web: {
      host: optional(env, 'STATS_HOST') ?? '127.0.0.1',
      port: port(env, 'STATS_PORT', 8001),
      prefix: pathPrefix(env, 'STATS_PREFIX', '/stats'),
      updateToken: secret(env, 'STATS_UPDATE_TOKEN'),
      trustProxy: trustProxy(env, 'STATS_TRUST_PROXY'),
      snapshotDir: snapshotDir(env, 'STATS_SNAPSHOT_DIR'),
    },
    schedule: {
      updateCron: optional(env, 'SCHEDULE_UPDATE_CRON'),
      compactCron: optional(env, 'SCHEDULE_COMPACT_CRON'),
      jobCommand: commandLine(env, 'SCHEDULE_JOB_COMMAND'),
      stopTimeoutMs: positiveInt(env, 'SCHEDULE_STOP_TIMEOUT_S', 120) * 1000,
    },
    demo: {
      seed: nonNegativeInt(env, 'DEMO_SEED', 1),
      workflows: positiveInt(env, 'DEMO_WORKFLOWS', 2000),
      active: nonNegativeInt(env, 'DEMO_ACTIVE', 200),
      tickSeconds: positiveInt(env, 'DEMO_TICK_S', 10),
      simulatedSecondsPerTick: positiveInt(env, 'DEMO_SIMULATED_S_PER_TICK', 3600),
    },
    updater: {
      pageSize: positiveInt(env, 'UPDATE_PAGE_SIZE', 5000),
      batchSize: positiveInt(env, 'UPDATE_BATCH_SIZE', 50),
      lockTtlSeconds: positiveInt(env, 'UPDATE_LOCK_TTL_S', 600),
      clockUrl: clockUrl(env, 'STATS_CLOCK_URL'),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
  };
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A secret from NAME, or from the file named by NAME_FILE (trailing newline dropped). */
function secret(env: Env, name: string): string | undefined {
  const file = optional(env, `${name}_FILE`);
  if (file === undefined) return optional(env, name);
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(
      `${name}_FILE=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}); ` +
        `point it at a readable file that holds the value of ${name}`,
    );
  }
}

function httpUrl(name: string, value: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL; example: http://admin:secret@127.0.0.1:5984`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http:// or https:// URL, got ${parsed.protocol}`);
  }
  return parsed;
}

/** COUCHDB_FAILOVER_URLS: comma-separated origins of the cluster's other nodes; credentials are COUCHDB_URL's. */
function failoverUrls(env: Env, couchUrl: URL | undefined): string[] {
  const value = optional(env, 'COUCHDB_FAILOVER_URLS');
  if (value === undefined) return [];
  if (couchUrl === undefined)
    throw new ConfigError('COUCHDB_FAILOVER_URLS needs COUCHDB_URL: the node asked first');
  if (couchUrl.pathname !== '/')
    throw new ConfigError(
      `COUCHDB_FAILOVER_URLS needs COUCHDB_URL to name a node (http://host:port), not a path; got ${couchUrl.pathname}`,
    );
  return value.split(',').map((item) => {
    const parsed = httpUrl('COUCHDB_FAILOVER_URLS', item.trim());
    if (parsed.username !== '' || parsed.password !== '')
      throw new ConfigError(
        'COUCHDB_FAILOVER_URLS must not carry credentials: every node is asked with those of COUCHDB_URL',
      );
    if (parsed.pathname !== '/' || parsed.search !== '')
      throw new ConfigError(
        `COUCHDB_FAILOVER_URLS takes nodes as http://host:port, without a path; got ${item.trim()}`,
      );
    return parsed.origin;
  });
}

function baseUrl(env: Env, name: string, fallback: string): string {
  const value = optional(env, name) ?? fallback;
  const parsed = httpUrl(name, value);
  if (parsed.protocol !== 'https:') {
    throw new ConfigError(
      `${name} must be an https:// URL (upstreams use client TLS), got ${value}`,
    );
  }
  return withoutTrailingSlash(parsed.toString());
}

function clockUrl(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  return value === undefined ? undefined : httpUrl(name, value).toString();
}

function withoutCredentials(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return withoutTrailingSlash(copy.toString());
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function basicAuthOf(url: URL): string | undefined {
  if (url.username === '') return undefined;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function dbName(env: Env, name: string, fallback: string): string {
  const value = optional(env, name) ?? fallback;
  if (!/^[a-z][a-z0-9_$()+/-]*$/.test(value)) {
    throw new ConfigError(
      `${name}=${value} is not a valid CouchDB database name; example: ${fallback}`,
    );
  }
  return value;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const value = integer(env, name, fallback);
  if (value < 1) throw new ConfigError(`${name} must be at least 1, got ${value}`);
  return value;
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const value = integer(env, name, fallback);
  if (value < 0) throw new ConfigError(`${name} must be 0 or more, got ${value}`);
  return value;
}

function integer(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw))
    throw new ConfigError(`${name} must be a whole number, e.g. ${fallback}; got "${raw}"`);
  return Number(raw);
}

function port(env: Env, name: string, fallback: number): number {
  const value = integer(env, name, fallback);
  if (value < 0 || value > 65535)
    throw new ConfigError(`${name} must be a TCP port (0-65535), got ${value}`);
  return value;
}

function pathPrefix(env: Env, name: string, fallback: string): string {
  const value = env[name] === undefined ? fallback : (env[name] ?? '').trim();
  if (value === '' || value === '/') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    throw new ConfigError(
      `${name} must look like /stats (or be empty for the root), got "${value}"`,
    );
  }
  return value;
}

/** A command as a JSON array of strings, so that no shell quoting rules are involved. */
function commandLine(env: Env, name: string): string[] | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((part) => typeof part === 'string' && part !== '')
  ) {
    throw new ConfigError(
      `${name} must be a JSON array of strings, e.g. ["nice","-n","10","/usr/bin/node","/opt/stats2/build/cli.js"]; got ${raw}`,
    );
  }
  return parsed as string[];
}

/** A hop count, or addresses and subnets (and Express's names for the private ranges). */
function trustProxy(env: Env, name: string): string | number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1) throw new ConfigError(`${name} must name proxies or be a hop count of 1 or more`);
    return hops;
  }
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const prefixOk =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (named.includes(entry) || (family !== 0 && prefixOk && extra === undefined)) continue;
    throw new ConfigError(
      `${name}: "${entry}" is not a proxy address; give addresses or subnets (e.g. 127.0.0.1,10.0.0.0/8), loopback, linklocal, uniquelocal, or a hop count`,
    );
  }
  return raw;
}

/** A folder, `off` (false), or unset (undefined: the caller's default). */
function snapshotDir(env: Env, name: string): string | false | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  return raw === 'off' ? false : path.resolve(raw);
}

function oneOf(env: Env, name: string, allowed: string[], fallback: string): string {
  const value = optional(env, name) ?? fallback;
  if (!allowed.includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  }
  return value;
}
