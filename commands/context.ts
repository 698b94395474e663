/** What every command needs: configuration, a logger, its output (the databases: couch/open-databases.ts). */
import type { Config, Env } from '../lib/config.js';
import type { Logger, Output } from '../lib/logger.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
  /** Result lines for the person or the journal (human at a terminal, JSON elsewhere). */
  output: Output;
  /** The environment `config` was read from (the demo adds the simulator's variables to it). */
  env: Env;
}
