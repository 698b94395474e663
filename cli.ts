#!/usr/bin/env node
/**
 * The command line: `node cli.js --action <action> [options]`. Each action lives in its
 * own module under commands/, loaded only when it runs.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadConfig, type Config } from './lib/config.js';
import { Stats2Error } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';

interface Arguments {
  action: string;
  name?: string;
}

interface Action {
  describe: string;
  needsName?: 'required' | 'optional';
  run(context: { config: Config; logger: Logger }, args: Arguments): Promise<number>;
}

const ACTIONS: Record<string, Action> = {
  setup: {
    describe: 'create the databases, set public read, deploy the design documents (idempotent)',
    run: async (context) => (await import('./commands/setup.js')).runSetup(context),
  },
  see: {
    describe: 'print the stored document of one workflow (--name) as indented JSON',
    needsName: 'required',
    run: async (context, args) => (await import('./commands/see.js')).runSee(context, args.name as string),
  },
  demo: {
    describe: 'start the embedded CouchDB, set it up, and keep it running until Ctrl-C',
    run: async (context) => (await import('./commands/demo.js')).runDemo(context),
  },
};

export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('cli.js')
    .usage('Usage: node cli.js --action <action> [options]\n\nActions:\n' + actionList())
    .option('action', { type: 'string', choices: Object.keys(ACTIONS), demandOption: 'choose one with --action', describe: 'what to do' })
    .option('name', { type: 'string', describe: 'a workflow (RequestName)' })
    .strict()
    .help()
    .version(false)
    .wrap(100)
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new UsageError(message);
    });

  let args: Arguments;
  try {
    args = (await parser.parseAsync()) as unknown as Arguments;
  } catch (err) {
    console.error(`${(err as Error).message}\nRun "node cli.js --help" for the actions and options.`);
    return 2;
  }
  if (!args.action) return 0; // --help was printed

  const action = ACTIONS[args.action] as Action;
  if (action.needsName === 'required' && !args.name?.trim()) {
    console.error(`--action ${args.action} needs --name <RequestName>`);
    return 2;
  }
  if (action.needsName === undefined && args.name !== undefined) {
    console.error(`--action ${args.action} does not take --name`);
    return 2;
  }

  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(`configuration error: ${(err as Error).message}`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel, name: args.action });
  try {
    return await action.run({ config, logger }, args);
  } catch (err) {
    if (err instanceof Stats2Error && err.statusCode < 500) {
      console.error(err.message);
      return 1;
    }
    logger.error({ err }, `${args.action} failed`);
    console.error(`${args.action} failed: ${(err as Error).message}`);
    return 1;
  }
}

class UsageError extends Error {}

function actionList(): string {
  return Object.entries(ACTIONS)
    .map(([name, action]) => `  ${name.padEnd(10)} ${action.describe}`)
    .join('\n');
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
