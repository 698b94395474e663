/** What every command needs: configuration, a logger, and the databases, opened once. */
import type { ServerScope } from 'nano';
import type { Config, Env } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { connect, resolveCouch, type ResolvedCouch } from '../couch/connection.js';
import { SettingsRepository } from '../couch/settings.js';
import { WorkflowRepository } from '../couch/workflows.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
  /** The environment `config` was read from (the demo adds the simulator's variables to it). */
  env: Env;
}

export interface OpenDatabases {
  couch: ResolvedCouch;
  server: ServerScope;
  workflows: WorkflowRepository;
  settings: SettingsRepository;
  close(): Promise<void>;
}

/** Opens the configured CouchDB (or the embedded one, whose restarts go to `logger`) with admin access. */
export async function openDatabases(config: Config, logger?: Logger): Promise<OpenDatabases> {
  const couch = await resolveCouch(config.couch, { logger });
  const server = connect(couch.admin);
  return {
    couch,
    server,
    workflows: new WorkflowRepository(server, config.couch.requestsDb),
    settings: new SettingsRepository(server, config.couch.settingsDb),
    close: () => couch.stop(),
  };
}
