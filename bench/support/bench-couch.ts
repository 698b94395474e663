/**
 * The CouchDB a benchmark runs on: the server named by COUCHDB_URL (or DB_URL), else a
 * fresh embedded pouchdb-server with its data on disk in a temporary folder. Each
 * benchmark gets uniquely named databases, set up as `--action setup` leaves them, and
 * `close()` drops them (and stops the embedded server, removing its folder).
 *
 * BENCH_KEEP_DATA=DIR keeps what is costly to write between runs: the embedded server
 * keeps its data in DIR, and `keptDatabases` names databases after what they hold and
 * leaves them in place, so a second run finds them filled (on either server).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerScope } from 'nano';
import { connect, type CouchTarget } from '../../couch/connection.js';
import { startEmbeddedCouch } from '../../couch/embedded.js';
import { setupDatabases, type DatabaseNames } from '../../couch/setup.js';
import { loadConfig } from '../../lib/config.js';

export interface BenchCouch {
  /** With admin credentials. */
  admin: CouchTarget;
  /** Without write credentials, as the website reads. */
  reader: CouchTarget;
  server: ServerScope;
  embedded: boolean;
  /** Fresh databases with the design documents deployed. */
  createDatabases(label: string): Promise<DatabaseNames>;
  /**
   * With BENCH_KEEP_DATA: databases named after `label` (say what they hold), set up and
   * never dropped; `kept` says they existed already. Without it: fresh ones, as above.
   */
  keptDatabases(label: string): Promise<{ names: DatabaseNames; kept: boolean }>;
  /** What a child process needs in its environment to write to `names`. */
  childEnv(names: DatabaseNames): Record<string, string>;
  close(): Promise<void>;
}

export async function openBenchCouch(): Promise<BenchCouch> {
  const config = loadConfig(process.env).couch;
  const keep = process.env.BENCH_KEEP_DATA ? path.resolve(process.env.BENCH_KEEP_DATA) : undefined;
  if (config.url !== undefined) {
    const admin = { url: config.url, authHeader: config.authHeader };
    return benchCouch(admin, { url: config.readerUrl ?? config.url }, false, keep, async () => {});
  }
  const dir =
    keep === undefined
      ? mkdtempSync(path.join(os.tmpdir(), 'stats2-bench-couch-'))
      : path.join(keep, 'embedded-couch');
  mkdirSync(dir, { recursive: true });
  const embedded = await startEmbeddedCouch({
    dir,
    inMemory: false,
    readableDatabases: ['bench_*'],
  });
  const admin = { url: embedded.url, authHeader: embedded.authHeader };
  return benchCouch(admin, { url: embedded.url }, true, keep, async () => {
    await embedded.stop();
    if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  });
}

function benchCouch(
  admin: CouchTarget,
  reader: CouchTarget,
  embedded: boolean,
  keep: string | undefined,
  stop: () => Promise<void>,
): BenchCouch {
  const server = connect(admin);
  const created: string[] = [];
  return {
    admin,
    reader,
    server,
    embedded,
    async createDatabases(label) {
      const base = `bench_${label.toLowerCase().replace(/[^a-z0-9]/g, '')}_${randomBytes(3).toString('hex')}`;
      const names = { requests: `${base}_requests`, settings: `${base}_settings` };
      created.push(names.requests, names.settings);
      await setupDatabases(server, names);
      return names;
    },
    async keptDatabases(label) {
      if (keep === undefined) return { names: await this.createDatabases(label), kept: false };
      const base = `bench_kept_${label.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
      const names = { requests: `${base}_requests`, settings: `${base}_settings` };
      const existing = await server.db.list();
      const kept = existing.includes(names.requests);
      await setupDatabases(server, names);
      return { names, kept };
    },
    childEnv(names) {
      return {
        COUCHDB_URL: admin.url,
        ...(admin.authHeader ? { STATS_DB_AUTH_HEADER: admin.authHeader } : {}),
        REQUESTS_DB: names.requests,
        SETTINGS_DB: names.settings,
      };
    },
    async close() {
      for (const db of created.splice(0)) await server.db.destroy(db).catch(() => undefined);
      await stop();
    },
  };
}

/**
 * A view query that waits for an index build, asked again when the build outlasts the
 * HTTP timeout (10 min: pouchdb-server on a loaded machine at 200,000 documents); the
 * server goes on building meanwhile.
 */
export async function untilIndexed(query: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await query();
      return;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if ((status !== undefined && status < 500) || attempt >= 20) throw err;
    }
  }
}
