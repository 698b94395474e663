#!/usr/bin/env node
/**
 * The command line: `node cli.js <action> [options]`, or the original's
 * `node cli.js --action <action> [options]`. Each action lives in its own module under
 * commands/, loaded only when it runs. `--help` anywhere prints help (the action's own
 * when one is named) and does nothing else: no configuration read, nothing started.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadConfig, type Config } from './lib/config.js';
import { ConfigError, errorMessage, Stats2Error } from './lib/errors.js';
import { exitWithStatusOf } from './lib/exit-status.js';
import { createLogger, createOutput, outputFormatOf } from './lib/logger.js';
import type { CommandContext } from './commands/context.js';

/** A flag of one or more actions. */
interface Flag {
  type: 'string' | 'boolean' | 'number';
  /** What its value is, in usage lines and messages: `--out <DIR>`. */
  value?: string;
  describe: string;
  /** The action cannot run without it. */
  needed?: boolean;
}

interface Action {
  describe: string;
  flags?: Record<string, Flag>;
  /** The environment variables it reads (its --help lists them). */
  variables: readonly string[];
  /** Variables it reads only with some flag: [the flags, the variables]. */
  variablesWith?: readonly [string, readonly string[]];
  /** Exit statuses besides 2 (bad flags or configuration), as `N meaning`. */
  exits: readonly string[];
  run(context: CommandContext, args: Arguments): Promise<number>;
}

interface Arguments {
  _: Array<string | number>;
  help?: boolean;
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

const COUCH = [
  'COUCHDB_URL',
  'DB_URL',
  'STATS_DB_AUTH_HEADER',
  'REQUESTS_DB',
  'SETTINGS_DB',
  'STATS_DATA_DIR',
  'LOG_LEVEL',
];
const CERTIFICATE = [
  'USERCRT',
  'USERKEY',
  'X509_USER_CERT',
  'X509_USER_KEY',
  'X509_USER_PROXY',
  'X509_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
];
const UPSTREAM = [
  'CMSWEB_URL',
  'CMSWEB_PROD_URL',
  ...CERTIFICATE,
  'REQMGR_CONCURRENCY',
  'DBS_CONCURRENCY',
  'UPSTREAM_TIMEOUT_S',
  'WMSTATS_TIMEOUT_S',
  'UPSTREAM_RETRIES',
];
const CALLBACKS = [
  'SSO_URL',
  'PDMV_PROD_URL',
  'PDMV_DEV_URL',
  'CALLBACK_CLIENT_ID',
  'CALLBACK_CLIENT_SECRET',
  'APPLICATION_CLIENT_ID',
  'DEV_APPLICATION_CLIENT_ID',
  'CALLBACK_CONCURRENCY',
  'CALLBACK_TIMEOUT_S',
];
const WEBSITE = ['STATS_HOST', 'STATS_PORT', 'STATS_PREFIX', 'STATS_UPDATE_TOKEN'];

const NAME: Flag = { type: 'string', value: 'RequestName', describe: 'the workflow' };
const TRIGGERS: Record<string, Flag> = {
  'trigger-prod': {
    type: 'boolean',
    describe: 'notify the production PdmV services (McM, ReReco, RelVal) of what changed',
  },
  'trigger-dev': {
    type: 'boolean',
    describe: 'notify the development PdmV services of what changed',
  },
};

const ACTIONS: Record<string, Action> = {
  setup: {
    describe: 'create the databases, set public read, deploy the design documents (idempotent)',
    variables: COUCH,
    exits: ['0 done (nothing to do is done)', '1 it failed'],
    run: async (context) => (await import('./commands/setup.js')).runSetup(context),
  },
  see: {
    describe: 'print the stored document of one workflow as indented JSON',
    flags: { name: { ...NAME, needed: true } },
    variables: COUCH,
    exits: ['0 printed', '1 no such workflow, or no such database'],
    run: async (context, args) =>
      (await import('./commands/see.js')).runSee(context, args.name as string),
  },
  update: {
    describe:
      'fetch what changed in ReqMgr2 and DBS since the last run (or one workflow: --name) and store it',
    flags: {
      name: { ...NAME, describe: 'update only this workflow (created if new); the feed stays' },
      ...TRIGGERS,
    },
    variables: [
      ...COUCH,
      ...UPSTREAM,
      'UPDATE_PAGE_SIZE',
      'UPDATE_BATCH_SIZE',
      'UPDATE_LOCK_TTL_S',
      'STATS_CLOCK_URL',
    ],
    variablesWith: ['--trigger-prod or --trigger-dev', CALLBACKS],
    exits: [
      '0 all well',
      '1 a workflow failed (retried next run), the run is incomplete, or ReqMgr2 and Stats2 both lack --name',
      '3 another update run holds the lock',
    ],
    run: async (context, args) =>
      (await import('./commands/update.js')).runUpdateCommand(context, args),
  },
  demo: {
    describe: 'the embedded CouchDB + the cmsweb simulator + updates + the website, until Ctrl-C',
    variables: [
      'STATS_DATA_DIR',
      'DEMO_SEED',
      'DEMO_WORKFLOWS',
      'DEMO_ACTIVE',
      'DEMO_TICK_S',
      'DEMO_SIMULATED_S_PER_TICK',
      ...WEBSITE,
      ...COUCH.filter((name) => name !== 'STATS_DATA_DIR'),
    ],
    exits: ['0 stopped by Ctrl-C or SIGTERM', '1 it could not start'],
    run: async (context) => (await import('./commands/demo.js')).runDemo(context),
  },
  compact: {
    describe: 'compact both databases and their views, then clean up old view indexes',
    variables: COUCH,
    exits: ['0 done (steps the server lacks are skipped)', '1 a step failed'],
    run: async (context) => (await import('./commands/compact.js')).runCompact(context),
  },
  schedule: {
    describe: 'run update and compact on cron expressions until stopped (no systemd timers)',
    flags: {
      'update-cron': {
        type: 'string',
        value: 'CRON',
        describe: `when to update [default: SCHEDULE_UPDATE_CRON or '*/15 * * * *'; 'off': never]`,
      },
      'compact-cron': {
        type: 'string',
        value: 'CRON',
        describe: `when to compact [default: SCHEDULE_COMPACT_CRON or '40 3 * * *'; 'off': never]`,
      },
      ...TRIGGERS,
    },
    variables: [
      'SCHEDULE_UPDATE_CRON',
      'SCHEDULE_COMPACT_CRON',
      'SCHEDULE_JOB_COMMAND',
      'SCHEDULE_STOP_TIMEOUT_S',
      'LOG_LEVEL',
      'and in its jobs what update and compact read',
    ],
    exits: ['0 stopped by SIGTERM or Ctrl-C', '1 it could not start'],
    run: async (context, args) =>
      (await import('./commands/schedule.js')).runSchedule(context, args),
  },
  backup: {
    describe: 'write a dated, compressed backup of both databases into a folder',
    flags: {
      out: {
        type: 'string',
        value: 'DIR',
        describe: 'the folder to write the backup file into',
        needed: true,
      },
    },
    variables: COUCH,
    exits: ['0 written', '1 it failed (no partial file is left under the final name)'],
    run: async (context, args) =>
      (await import('./commands/backup.js')).runBackup(context, args.out as string),
  },
  restore: {
    describe: 'restore a backup file into empty databases (--force: into non-empty ones too)',
    flags: {
      in: { type: 'string', value: 'FILE', describe: 'the backup file to read', needed: true },
      force: { type: 'boolean', describe: 'also into databases that hold documents' },
    },
    variables: COUCH,
    exits: [
      '0 restored',
      '1 refused (databases not empty, file incomplete) or some documents failed',
    ],
    run: async (context, args) =>
      (await import('./commands/restore.js')).runRestore(
        context,
        args.in as string,
        args.force === true,
      ),
  },
  import: {
    describe: 'take over an existing Stats2 CouchDB: copy its workflows and settings',
    flags: {
      from: {
        type: 'string',
        value: 'URL',
        describe: 'the old Stats2 CouchDB, e.g. http://user:pw@old-host:5984',
        needed: true,
      },
      'from-requests-db': {
        type: 'string',
        value: 'NAME',
        describe: 'its workflow database [default: requests]',
      },
      'from-settings-db': {
        type: 'string',
        value: 'NAME',
        describe: 'its settings database [default: settings]',
      },
    },
    variables: COUCH,
    exits: ['0 copied', '1 some documents failed (run it again to retry them)'],
    run: async (context, args) =>
      (await import('./commands/import.js')).runImport(context, {
        url: args.from as string,
        requestsDb: args.fromRequestsDb ?? 'requests',
        settingsDb: args.fromSettingsDb ?? 'settings',
      }),
  },
  verify: {
    describe: 'compare the stored workflows with what ReqMgr2, DBS and WMStats say now',
    flags: {
      name: { ...NAME, describe: 'verify only this workflow' },
      limit: {
        type: 'number',
        value: 'N',
        describe: 'verify only the first N stored workflows (by RequestName)',
      },
    },
    variables: [...COUCH, ...UPSTREAM],
    exits: ['0 every workflow matches', '1 some mismatch or could not be verified'],
    run: async (context, args) =>
      (await import('./commands/verify.js')).runVerify(context, {
        name: args.name,
        limit: args.limit,
      }),
  },
  check: {
    describe:
      'preflight: configuration, CouchDB, databases, design documents, certificates, upstream, clock',
    variables: [...COUCH, 'COUCHDB_READER_URL', 'CMSWEB_URL', ...CERTIFICATE, 'STATS_CLOCK_URL'],
    exits: ['0 no check failed (warnings allowed)', '1 some check failed'],
    run: async (context) => (await import('./commands/check.js')).runCheck(context),
  },
};

const HELP_HINT =
  'Run "node cli.js --help" for the actions, "node cli.js <action> --help" for one.';

export async function main(argv: string[]): Promise<number> {
  const { argv: rewritten, problem } = actionFirst(argv);
  let args: Arguments;
  try {
    args = (await parser(rewritten).parseAsync()) as unknown as Arguments;
  } catch (err) {
    console.error(`${errorMessage(err)}\n${HELP_HINT}`);
    return 2;
  }
  if (args.help) return 0; // yargs printed it; nothing else happens

  const actionName = problem === undefined ? String(args._[0] ?? '') : '';
  const action = ACTIONS[actionName];
  const usage =
    problem ??
    (actionName === ''
      ? 'no action given'
      : action === undefined
        ? `unknown action "${actionName}"; one of: ${Object.keys(ACTIONS).join(', ')}`
        : usageProblem(actionName, action, args));
  if (usage !== undefined || action === undefined) {
    console.error(`${usage}\n${HELP_HINT}`);
    return 2;
  }

  const format = outputFormatOf();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    createOutput(format, createLogger({ name: actionName, format })).fail(
      `configuration error: ${errorMessage(err)}`,
    );
    return 2;
  }
  // On a terminal a person reads progress and results; the log then shows only what needs
  // attention, unless LOG_LEVEL asks for more. Elsewhere (systemd, CI) the JSON log is the output.
  const level = process.env.LOG_LEVEL || format === 'json' ? config.logLevel : 'warn';
  const logger = createLogger({ level, name: actionName, format });
  const output = createOutput(format, logger);
  try {
    return await action.run({ config, logger, output, env: process.env }, args);
  } catch (err) {
    if (err instanceof ConfigError) {
      output.fail(`configuration error: ${err.message}`);
      return 2;
    }
    if (err instanceof Stats2Error && err.statusCode < 500) {
      output.fail(err.message, { code: err.code });
      return 1;
    }
    output.fail(`${actionName} failed: ${errorMessage(err)}`, { err });
    return 1;
  }
}

function parser(argv: string[]): Argv {
  let cli = yargs(argv)
    .scriptName('cli.js')
    .usage(
      'Usage: node cli.js <action> [options]\nSame as: node cli.js --action <action> [options]',
    )
    .epilog(
      'Each action has its own help: node cli.js <action> --help (its flags, the environment ' +
        'variables it reads, its exit statuses). Configuration comes from the environment: ' +
        "see the README's Configuration table. Bad flags or configuration exit with status 2.",
    );
  for (const [name, action] of Object.entries(ACTIONS)) {
    cli = cli.command(name, action.describe, (command) => actionHelp(command, name, action));
  }
  return cli
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(100)
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new Error(message);
    });
}

/** The action's flags, and a help text that says how to call it, what it reads and how it exits. */
function actionHelp(command: Argv, name: string, action: Action): Argv {
  const flags = Object.entries(action.flags ?? {});
  const synopsis = flags
    .map(([flag, spec]) => {
      const text = `--${flag}${spec.value ? ` <${spec.value}>` : ''}`;
      return spec.needed ? text : `[${text}]`;
    })
    .join(' ');
  for (const [flag, spec] of flags) {
    command = command.option(flag, {
      type: spec.type,
      describe: spec.needed ? `${spec.describe} (needed)` : spec.describe,
    });
  }
  const arguments_ = synopsis ? ` ${synopsis}` : '';
  const exits = [...action.exits, '2 bad flags or configuration'].sort();
  const [flagged, variablesWith] = action.variablesWith ?? [];
  return command
    .usage(
      `Usage: node cli.js ${name}${arguments_}\nSame as: node cli.js --action ${name}${arguments_}\n\n${action.describe}`,
    )
    .epilog(
      [
        `Environment: ${action.variables.join(', ')}`,
        ...(variablesWith ? [`With ${flagged}, also: ${variablesWith.join(', ')}`] : []),
        'A secret can also come from a file: <NAME>_FILE=/path.',
        '',
        'Exit status:',
        ...exits.map((exit) => `  ${exit.replace(' ', '  ')}`),
      ].join('\n'),
    );
}

/**
 * `--action X` becomes the command `X`, so that both forms are one grammar. A malformed
 * `--action` is dropped and reported (after --help, which wins over everything).
 */
function actionFirst(argv: readonly string[]): { argv: string[]; problem?: string } {
  const rest: string[] = [];
  const actions: string[] = [];
  let problem: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (token === '--action' || token.startsWith('--action=')) {
      const value = token === '--action' ? argv[i + 1] : token.slice('--action='.length);
      if (token === '--action' && value !== undefined && !value.startsWith('-')) i++;
      if (value === undefined || value === '' || value.startsWith('-')) {
        problem = `--action needs an action: one of ${Object.keys(ACTIONS).join(', ')}`;
      } else actions.push(value);
      continue;
    }
    rest.push(token);
  }
  if (actions.length > 1) problem = `--action is given ${actions.length} times`;
  return { argv: [...actions.slice(0, 1), ...rest], ...(problem ? { problem } : {}) };
}

/** A flag this action does not take, a needed one missing, an empty value, an extra word. */
function usageProblem(name: string, action: Action, args: Arguments): string | undefined {
  const flags = action.flags ?? {};
  const given = args as unknown as Record<string, unknown>;
  const keys = Object.keys(given).filter((key) => !['_', '$0', 'help', 'h'].includes(key));
  for (const key of keys) {
    const flag = kebabCase(key);
    // yargs gives every dashed flag a camelCase twin: judge the flag once.
    if (flags[flag] !== undefined || (flag !== key && keys.includes(flag))) continue;
    const elsewhere = Object.entries(ACTIONS).filter(([, other]) => other.flags?.[flag]);
    return elsewhere.length > 0
      ? `${name} does not take --${flag} (${elsewhere.map(([other]) => other).join(', ')} ${elsewhere.length > 1 ? 'do' : 'does'})`
      : `unknown option ${flag.length === 1 ? '-' : '--'}${flag}`;
  }
  if (args._.length > 1) return `${name} takes no argument "${String(args._[1])}"`;
  for (const [flag, spec] of Object.entries(flags)) {
    const value = given[flag];
    if (spec.type !== 'string' || (value === undefined && !spec.needed)) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      return spec.needed
        ? `${name} needs --${flag} <${spec.value ?? 'value'}>`
        : `--${flag} needs a value: <${spec.value ?? 'value'}>`;
    }
  }
  return undefined;
}

function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

exitWithStatusOf(main(hideBin(process.argv)));
