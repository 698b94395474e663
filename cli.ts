#!/usr/bin/env node
/**
 * The command line: `node cli.js --action <action> [options]`. Each action lives in its
 * own module under commands/, loaded only when it runs.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadConfig, type Config } from './lib/config.js';
import { ConfigError, Stats2Error } from './lib/errors.js';
import { createLogger } from './lib/logger.js';
import type { CommandContext } from './commands/context.js';

interface Arguments {
  action: string;
  name?: string;
  out?: string;
  in?: string;
  force?: boolean;
  from?: string;
  fromRequestsDb?: string;
  fromSettingsDb?: string;
  updateCron?: string;
  compactCron?: string;
  limit?: number;
  triggerProd?: boolean;
  triggerDev?: boolean;
}

interface Action {
  describe: string;
  needsName?: 'required' | 'optional';
  /** Options only some actions take: which this one takes, and which of those it needs. */
  options?: { takes: string[]; needs?: string[] };
  run(context: CommandContext, args: Arguments): Promise<number>;
}

const ACTIONS: Record<string, Action> = {
  setup: {
    describe: 'create the databases, set public read, deploy the design documents (idempotent)',
    run: async (context) => (await import('./commands/setup.js')).runSetup(context),
  },
  see: {
    describe: 'print the stored document of one workflow (--name) as indented JSON',
    needsName: 'required',
    run: async (context, args) =>
      (await import('./commands/see.js')).runSee(context, args.name as string),
  },
  update: {
    describe:
      'fetch what changed in ReqMgr2 and DBS since the last run (or one workflow: --name) and store it',
    needsName: 'optional',
    options: { takes: ['trigger-prod', 'trigger-dev'] },
    run: async (context, args) =>
      (await import('./commands/update.js')).runUpdateCommand(context, args),
  },
  demo: {
    describe: 'the embedded CouchDB + the cmsweb simulator + updates + the website, until Ctrl-C',
    run: async (context) => (await import('./commands/demo.js')).runDemo(context),
  },
  compact: {
    describe: 'compact both databases and their views, then clean up old view indexes',
    run: async (context) => (await import('./commands/compact.js')).runCompact(context),
  },
  schedule: {
    describe: 'run update and compact on cron expressions until stopped (no systemd timers)',
    options: { takes: ['update-cron', 'compact-cron', 'trigger-prod', 'trigger-dev'] },
    run: async (context, args) =>
      (await import('./commands/schedule.js')).runSchedule(context, args),
  },
  backup: {
    describe: 'write a dated, compressed backup of both databases into the folder --out',
    options: { takes: ['out'], needs: ['out'] },
    run: async (context, args) =>
      (await import('./commands/backup.js')).runBackup(context, args.out as string),
  },
  restore: {
    describe: 'restore a backup (--in FILE) into empty databases (--force: into non-empty ones)',
    options: { takes: ['in', 'force'], needs: ['in'] },
    run: async (context, args) =>
      (await import('./commands/restore.js')).runRestore(
        context,
        args.in as string,
        args.force === true,
      ),
  },
  import: {
    describe: 'take over an existing Stats2 CouchDB (--from URL): copy its workflows and settings',
    options: { takes: ['from', 'from-requests-db', 'from-settings-db'], needs: ['from'] },
    run: async (context, args) =>
      (await import('./commands/import.js')).runImport(context, {
        url: args.from as string,
        requestsDb: args.fromRequestsDb ?? 'requests',
        settingsDb: args.fromSettingsDb ?? 'settings',
      }),
  },
  verify: {
    describe:
      'compare the stored workflows (or one: --name) with what ReqMgr2, DBS and WMStats say now',
    needsName: 'optional',
    options: { takes: ['limit'] },
    run: async (context, args) =>
      (await import('./commands/verify.js')).runVerify(context, {
        name: args.name,
        limit: args.limit,
      }),
  },
  check: {
    describe:
      'preflight: configuration, CouchDB, databases, design documents, certificates, upstream',
    run: async (context) => (await import('./commands/check.js')).runCheck(context),
  },
};

export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('cli.js')
    .usage('Usage: node cli.js --action <action> [options]\n\nActions:\n' + actionList())
    .option('action', {
      type: 'string',
      choices: Object.keys(ACTIONS),
      demandOption: 'choose one with --action',
      describe: 'what to do',
    })
    .option('name', { type: 'string', describe: 'a workflow (RequestName)' })
    .option('out', { type: 'string', describe: 'backup: the folder to write the backup file into' })
    .option('in', { type: 'string', describe: 'restore: the backup file to read' })
    .option('force', {
      type: 'boolean',
      describe: 'restore: also into databases that hold documents',
    })
    .option('from', {
      type: 'string',
      describe: 'import: URL of the old Stats2 CouchDB, e.g. http://user:pw@old-host:5984',
    })
    .option('from-requests-db', {
      type: 'string',
      describe: 'import: its workflow database [default: requests]',
    })
    .option('from-settings-db', {
      type: 'string',
      describe: 'import: its settings database [default: settings]',
    })
    .option('limit', {
      type: 'number',
      describe: 'verify: check only the first N stored workflows (by RequestName)',
    })
    .option('trigger-prod', {
      type: 'boolean',
      describe:
        'update, schedule: notify the production PdmV services (McM, ReReco, RelVal) of changes',
    })
    .option('trigger-dev', {
      type: 'boolean',
      describe: 'update, schedule: notify the development PdmV services of changes',
    })
    .option('update-cron', {
      type: 'string',
      describe: `schedule: when to update [default: SCHEDULE_UPDATE_CRON or '*/15 * * * *'; 'off': never]`,
    })
    .option('compact-cron', {
      type: 'string',
      describe: `schedule: when to compact [default: SCHEDULE_COMPACT_CRON or '40 3 * * *'; 'off': never]`,
    })
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
    console.error(
      `${(err as Error).message}\nRun "node cli.js --help" for the actions and options.`,
    );
    return 2;
  }
  if (!args.action) return 0; // --help was printed

  const action = ACTIONS[args.action] as Action;
  if (action.needsName === 'required' && !args.name?.trim()) {
    console.error(`--action ${args.action} needs --name <RequestName>`);
    return 2;
  }
  if (action.needsName === 'optional' && args.name !== undefined && !args.name.trim()) {
    console.error(`--name needs a RequestName`);
    return 2;
  }
  if (action.needsName === undefined && args.name !== undefined) {
    console.error(`--action ${args.action} does not take --name`);
    return 2;
  }
  const optionProblem = checkActionOptions(args, action);
  if (optionProblem) {
    console.error(`${optionProblem}\nRun "node cli.js --help" for the actions and options.`);
    return 2;
  }

  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(`configuration error: ${(err as Error).message}`);
    return 2;
  }
  // On a terminal a person reads progress and a summary; the log then shows only what needs
  // attention, unless LOG_LEVEL asks for more. Elsewhere (systemd, CI) the JSON log is the output.
  const level = process.env.LOG_LEVEL || !process.stdout.isTTY ? config.logLevel : 'warn';
  const logger = createLogger({ level, name: args.action });
  try {
    return await action.run({ config, logger, env: process.env }, args);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      return 2;
    }
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

/** An action-specific option given to another action, or a needed one missing or empty. */
function checkActionOptions(args: Arguments, action: Action): string | undefined {
  const given = (option: string) => (args as unknown as Record<string, unknown>)[option];
  const takes = action.options?.takes ?? [];
  for (const other of Object.values(ACTIONS)) {
    for (const option of other.options?.takes ?? []) {
      if (given(option) !== undefined && !takes.includes(option)) {
        return `--action ${args.action} does not take --${option}`;
      }
    }
  }
  for (const option of action.options?.needs ?? []) {
    const value = given(option);
    if (typeof value !== 'string' || value.trim() === '') {
      return `--action ${args.action} needs --${option} <value>`;
    }
  }
  return undefined;
}

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
