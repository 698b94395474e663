/** The configured databases, opened once for a command: the server, the two repositories, and their end. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServerScope } from 'nano';
import type { CouchConfig } from '../lib/config.js';
import { NotFoundError } from '../lib/errors.js';
import { scrubUrl, type Logger } from '../lib/logger.js';
import { connect, resolveCouch, type CouchTarget, type ResolvedCouch } from './connection.js';
import { isNotFound } from './errors.js';
import { SettingsRepository } from './settings.js';
import { WorkflowRepository } from './workflows.js';

/** The two repositories of the configured databases, on one connection. */
export interface Repositories {
  workflows: WorkflowRepository;
  settings: SettingsRepository;
}

export function openRepositories(
  target: CouchTarget,
  databases: { requests: string; settings: string },
): Repositories {
  return repositoriesOn(connect(target), databases);
}

function repositoriesOn(
  server: ServerScope,
  databases: { requests: string; settings: string },
): Repositories {
  return {
    workflows: new WorkflowRepository(server, databases.requests),
    settings: new SettingsRepository(server, databases.settings),
  };
}

export interface OpenDatabases {
  couch: ResolvedCouch;
  server: ServerScope;
  workflows: WorkflowRepository;
  settings: SettingsRepository;
  close(): Promise<void>;
}

/**
 * Opens the configured CouchDB (or the embedded one, whose restarts go to `logger`) with
 * admin access. `existing`: the command works on stored data, so a missing data folder or
 * database is an error saying where it looked and what to do, found before anything is
 * started or written.
 */
export async function openDatabases(
  config: { couch: CouchConfig },
  options: { existing?: boolean; logger?: Logger } = {},
): Promise<OpenDatabases> {
  if (options.existing && config.couch.url === undefined) requireDataFolder(config);
  const couch = await resolveCouch(config.couch, { logger: options.logger });
  const server = connect(couch.admin);
  const db: OpenDatabases = {
    couch,
    server,
    ...repositoriesOn(server, {
      requests: config.couch.requestsDb,
      settings: config.couch.settingsDb,
    }),
    close: () => couch.stop(),
  };
  if (options.existing) {
    try {
      await requireDatabases(server, config);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

const SETUP_FIRST = 'run "node cli.js --action setup" first';

function requireDataFolder(config: { couch: CouchConfig }): void {
  const dataDir = config.couch.dataDir;
  if (existsSync(path.join(dataDir, 'couchdb'))) return;
  throw new NotFoundError(
    `no Stats2 data in ${dataDir}: ${SETUP_FIRST}, or set STATS_DATA_DIR (or COUCHDB_URL) to where the data is`,
  );
}

async function requireDatabases(
  server: ServerScope,
  config: { couch: CouchConfig },
): Promise<void> {
  for (const name of [config.couch.requestsDb, config.couch.settingsDb]) {
    try {
      await server.db.get(name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const where =
        config.couch.url === undefined
          ? `the embedded CouchDB in ${config.couch.dataDir}`
          : `CouchDB at ${scrubUrl(config.couch.url)}`;
      throw new NotFoundError(
        `database ${name} does not exist in ${where}: ${SETUP_FIRST}, or set ${config.couch.url === undefined ? 'STATS_DATA_DIR' : 'COUCHDB_URL'} and REQUESTS_DB / SETTINGS_DB to where the data is`,
      );
    }
  }
}
