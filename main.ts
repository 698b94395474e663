#!/usr/bin/env node
/**
 * The website: `node main.js [--host H] [--port P] [--debug]`. Defaults come from the
 * configuration (STATS_HOST, STATS_PORT, STATS_PREFIX). Reads CouchDB with the reader
 * connection only; stops cleanly on SIGINT and SIGTERM.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { hasFailures, formatCheck, runChecks } from './preflight/index.js';
import { composeWebsiteUpdater, configuredWebsite, startWebsite } from './compose.js';
import { resolveCouch } from './couch/connection.js';
import { loadConfig, type Config } from './lib/config.js';
import { errorMessage } from './lib/errors.js';
import { exitWithStatusOf } from './lib/exit-status.js';
import { createLogger, createOutput, outputFormatOf } from './lib/logger.js';

interface Arguments {
  host?: string;
  port?: number;
  debug: boolean;
}

export async function main(argv: string[]): Promise<number> {
  let args: Arguments;
  try {
    args = (await yargs(argv)
      .scriptName('main.js')
      .usage('Usage: node main.js [--host H] [--port P] [--debug]\n\nServes the Stats2 website.')
      .option('host', {
        type: 'string',
        describe: 'address to listen on (default: STATS_HOST or 127.0.0.1)',
      })
      .option('port', {
        type: 'number',
        describe: 'port to listen on (default: STATS_PORT or 8001)',
      })
      .option('debug', {
        type: 'boolean',
        default: false,
        describe: 'log every request (log level debug)',
      })
      .check((parsed) => {
        if (
          parsed.port !== undefined &&
          !(Number.isInteger(parsed.port) && parsed.port >= 0 && parsed.port <= 65535)
        ) {
          throw new Error('--port must be a TCP port (0-65535)');
        }
        return true;
      })
      .strict()
      .help()
      .version(false)
      .exitProcess(false)
      .fail((message, err) => {
        throw err ?? new Error(message);
      })
      .parseAsync()) as unknown as Arguments;
  } catch (err) {
    console.error(`${errorMessage(err)}\nRun "node main.js --help" for the options.`);
    return 2;
  }
  if ((args as { help?: boolean }).help) return 0;

  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(`configuration error: ${errorMessage(err)}`);
    return 2;
  }
  // The output rule: a terminal gets lines for people, anything else (journald) JSON records.
  const format = outputFormatOf();
  const logger = createLogger({
    level: args.debug ? 'debug' : config.logLevel,
    name: 'website',
    format,
  });
  const output = createOutput(format, logger);
  const couch = await resolveCouch(config.couch, { logger });
  const checks = await runChecks(config, ['couch'], { couch });
  if (hasFailures(checks)) {
    for (const check of checks) output.fail(formatCheck(check), { check });
    await couch.stop();
    output.fail(
      'the website cannot start: fix the failures above (often: run "node cli.js --action setup")',
    );
    return 1;
  }
  const updates = await composeWebsiteUpdater(config, couch.admin, logger);
  let website;
  try {
    website = await startWebsite({
      ...configuredWebsite(config),
      reader: couch.reader,
      host: args.host ?? config.web.host,
      port: args.port ?? config.web.port,
      logger,
      updateWorkflow: updates?.updateWorkflow,
    });
  } catch (err) {
    await updates?.close();
    await couch.stop();
    output.fail(`the website cannot start: ${errorMessage(err)}`, { err });
    return 1;
  }
  output.say(`Stats2 website at ${website.url}`, { url: website.url });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal }, 'stopping');
  await website.close();
  await updates?.close();
  await couch.stop();
  return 0;
}

exitWithStatusOf(main(hideBin(process.argv)));
