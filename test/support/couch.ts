/**
 * The CouchDB every test file shares: the embedded pouchdb-server (in memory), started on
 * first use, or the server named by COUCHDB_URL / DB_URL. Each test file gets its own,
 * uniquely named databases, dropped when the run ends.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { ServerScope } from 'nano';
import { loadConfig } from '../../lib/config.js';
import { connect, type CouchTarget } from '../../couch/connection.js';
import { startEmbeddedCouch } from '../../couch/embedded.js';
import { setupDatabases, type DatabaseNames } from '../../couch/setup.js';

export interface TestCouch {
  admin: CouchTarget;
  /** The server scope with admin credentials. */
  server: ServerScope;
  /** The server scope without credentials (a reader, or an anonymous attacker). */
  anonymous: ServerScope;
  embedded: boolean;
}

let shared: Promise<TestCouch & { stop(): Promise<void> }> | undefined;
const created: string[] = [];

export function testCouch(): Promise<TestCouch> {
  shared ??= start();
  return shared;
}

async function start(): Promise<TestCouch & { stop(): Promise<void> }> {
  const config = loadConfig(process.env).couch;
  if (config.url !== undefined) {
    const admin = { url: config.url, authHeader: config.authHeader };
    return {
      admin,
      server: connect(admin),
      anonymous: connect({ url: config.url }),
      embedded: false,
      stop: async () => {},
    };
  }
  const dir = path.join(os.tmpdir(), `stats2-test-couch-${process.pid}`);
  // Anonymous reads are allowed on the test databases (uniqueDbNames), as on `requests` and `settings`.
  const embedded = await startEmbeddedCouch({ dir, inMemory: true, readableDatabases: ['t_*'] });
  const admin = { url: embedded.url, authHeader: embedded.authHeader };
  return {
    admin,
    server: connect(admin),
    anonymous: connect({ url: embedded.url }),
    embedded: true,
    stop: embedded.stop,
  };
}

/** Fresh database names for one test file: `t_<label>_<random>_requests` and `…_settings`. */
export function uniqueDbNames(label: string): DatabaseNames {
  const base = `t_${label.toLowerCase().replace(/[^a-z0-9]/g, '')}_${randomBytes(4).toString('hex')}`;
  const names = { requests: `${base}_requests`, settings: `${base}_settings` };
  created.push(names.requests, names.settings);
  return names;
}

/** Fresh databases with the design documents deployed, as `--action setup` leaves them. */
export async function setUpTestDatabases(
  label: string,
): Promise<{ couch: TestCouch; names: DatabaseNames }> {
  const couch = await testCouch();
  const names = uniqueDbNames(label);
  await setupDatabases(couch.server, names);
  return { couch, names };
}

export async function stopTestCouch(): Promise<void> {
  if (!shared) return;
  const couch = await shared;
  for (const db of created.splice(0)) {
    await couch.server.db.destroy(db).catch(() => undefined);
  }
  await couch.stop();
  shared = undefined;
}
