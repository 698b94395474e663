/**
 * `--action demo` (the README's `npm start`): the embedded CouchDB on disk, the cmsweb
 * simulator, a first update run, and the website; then simulated time advances and an
 * incremental update runs every few seconds, so the pages visibly change. Ctrl-C stops
 * everything; a second start resumes from the stored state (the simulated world is
 * replayed to where it was: it is deterministic given its seed and its ticks).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setupDatabases } from '../couch/setup.js';
import { loadConfig, type Config } from '../lib/config.js';
import { errorMessage, isExpectedCondition } from '../lib/errors.js';
import { unixSeconds } from '../lib/clock.js';
import type { Logger, Output } from '../lib/logger.js';
import { plural } from '../lib/plural.js';
import { startSimulator } from '../sim/index.js';
import { acquireRunLock, RunLockedError } from '../couch/run-lock.js';
import { composeUpdater, configuredWebsite, startWebsite } from '../compose.js';
import { oneWorkflowOutcome, runUpdate, updateWorkflow, type RunSummary } from '../updater/run.js';
import { openDatabases } from '../couch/open-databases.js';
import type { CommandContext } from './context.js';
import { describe } from './setup.js';

interface DemoState {
  seed: number;
  /** Simulated epoch seconds at the first start. */
  startTime: number;
  ticks: number;
}

/**
 * The simulated world starts this far behind the real clock and catches up tick by tick,
 * then keeps pace with it (a tick advances it only when the real clock is a tick ahead):
 * the updater takes its time from the same world, so statuses, chart points and "3d ago"
 * all read one clock.
 */
const HEAD_START_S = 30 * 86400;

export async function runDemo({
  config: baseConfig,
  logger,
  output,
  env,
}: CommandContext): Promise<number> {
  const { demo } = baseConfig;
  const simDir = path.join(baseConfig.couch.dataDir, 'simulator');
  mkdirSync(simDir, { recursive: true });
  const state = readState(simDir, demo.seed);

  const sim = await startSimulator({
    seed: demo.seed,
    workflows: demo.workflows,
    active: demo.active,
    dir: simDir,
    startTime: state.startTime,
  });
  writeState(simDir, state);
  for (let tick = 0; tick < state.ticks; tick++) sim.world.advance(demo.simulatedSecondsPerTick);
  const config = loadConfig({ ...env, ...sim.env });
  const db = await openDatabases(config, { logger });
  const updater = await composeUpdater(config, {
    repositories: db,
    // The demo prints one line per update; per-workflow notes are logged only when LOG_LEVEL asks.
    logger: logger.child(
      { module: 'updater' },
      { level: env.LOG_LEVEL ? config.logLevel : 'warn' },
    ),
    upstreamLogger: logger.child({ module: 'upstream' }),
  });
  const { deps } = updater;
  const simEnvFile = path.join(baseConfig.couch.dataDir, SIM_ENV_FILE);
  // One clock, the simulated world's (running between its steps): history entries,
  // LastUpdate, the run records, the DBS dates of the world, and every "3d ago" and
  // dashboard window of the website. Other commands read it through STATS_CLOCK_URL.
  const clock = sim.clock.now;
  const now = () => unixSeconds(clock);
  let website: Awaited<ReturnType<typeof startWebsite>> | undefined;
  let stopping = false;
  let running: Promise<unknown> = Promise.resolve();

  try {
    for (const report of await setupDatabases(
      db.server,
      { requests: config.couch.requestsDb, settings: config.couch.settingsDb },
      logger,
    )) {
      output.say(describe(report), { setup: report });
    }
    // As the service runs it, the index snapshot included (STATS_SNAPSHOT_DIR, default
    // STATS_DATA_DIR/website): a second start is a warm one.
    const site = configuredWebsite(config);
    website = await startWebsite({
      reader: db.couch.reader,
      databases: site.databases,
      host: site.host,
      port: site.port,
      prefix: site.prefix,
      updateToken: site.updateToken,
      snapshotDir: site.snapshotDir,
      couchName: site.couchName,
      logger: logger.child({ module: 'website' }),
      clock,
      updateWorkflow: async (name) => {
        return oneWorkflowOutcome(await updateWorkflow(name, deps, { now }));
      },
    });
    output.say(
      `Simulated cmsweb (seed ${demo.seed}, ${plural(demo.workflows, 'workflow')}) at ${sim.urls.cmsweb}`,
      { cmsweb: sim.urls.cmsweb, seed: demo.seed, workflows: demo.workflows },
    );
    output.say(`CouchDB at ${db.couch.admin.url} (data in ${config.couch.dataDir})`, {
      couchdb: db.couch.admin.url,
      dataDir: config.couch.dataDir,
    });
    writeSimEnv(simEnvFile, {
      ...simulatorEnvironment(config),
      ...sim.env,
      STATS_CLOCK_URL: sim.urls.clock,
    });
    output.say(
      `Other commands can use the simulated cmsweb and this database: set -a; . ${simEnvFile}; set +a`,
      { simEnv: simEnvFile },
    );

    const update = async (label: string) => {
      const lock = await acquireRunLock(db.server, config.couch.settingsDb);
      try {
        report(output, label, await runUpdate(deps, { now }));
      } finally {
        await lock.release();
      }
    };
    running = update(state.ticks === 0 ? 'first update' : 'catching up');
    await running;
    output.say(
      output.format === 'human'
        ? `\nStats2 is at ${website.url}  (Ctrl-C stops it)\n`
        : `Stats2 is at ${website.url}`,
      { url: website.url },
    );

    const ticker = setInterval(() => {
      if (stopping) return;
      running = running
        .then(async () => {
          if (sim.world.now() + demo.simulatedSecondsPerTick > Date.now() / 1000) return;
          const advanced = sim.world.advance(demo.simulatedSecondsPerTick);
          state.ticks++;
          writeState(simDir, state);
          await update(
            `+${demo.simulatedSecondsPerTick / 3600} h simulated: ${advanced.transitions} status changes, ${advanced.created} new, ${advanced.deleted} deleted`,
          );
        })
        .catch((err: unknown) => logTickFailure(logger, err));
    }, demo.tickSeconds * 1000);

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    stopping = true;
    clearInterval(ticker);
    output.say(output.format === 'human' ? '\nstopping…' : 'stopping');
    await running.catch(() => undefined);
    return 0;
  } finally {
    rmSync(simEnvFile, { force: true });
    await website?.close();
    await updater.close();
    await db.close();
    await sim.close();
  }
}

/**
 * A tick whose update could not run: a run started by hand holding the lock, or CouchDB
 * restarting, is expected and said in one line; anything else is logged with its stack.
 */
function logTickFailure(logger: Logger, err: unknown): void {
  if (err instanceof RunLockedError) {
    // "another update run holds the lock (pid …, since …)", without the advice meant for a person at a terminal.
    logger.warn(`update skipped: ${err.message.split(';')[0]}; the next tick runs it`);
  } else if (isExpectedCondition(err)) {
    logger.warn({ code: err.code }, `update failed: ${err.message}; the next tick tries again`);
  } else {
    logger.error({ err }, `update failed: ${errorMessage(err)}`);
  }
}

function report(output: Output, label: string, summary: RunSummary): void {
  output.say(
    `${label}: ${plural(summary.changed, 'workflow')} changed in ReqMgr2, ${summary.deleted} deleted, ${plural(summary.historyEntriesAdded, 'history entry', 'history entries')} added from DBS` +
      (summary.failed.length > 0 ? `, ${summary.failed.length} failed` : ''),
    { summary: { ...summary, failed: summary.failed.length } },
  );
}

/** In the data folder, while the demo runs: its simulator's environment, for other commands. */
export const SIM_ENV_FILE = 'sim.env';

/** What, besides the simulator's URLs and credentials, points another command at this demo. */
function simulatorEnvironment(config: Config): Record<string, string> {
  return {
    // The embedded CouchDB is found through its data folder (an external one through COUCHDB_URL, already set).
    ...(config.couch.url === undefined ? { STATS_DATA_DIR: config.couch.dataDir } : {}),
    REQUESTS_DB: config.couch.requestsDb,
    SETTINGS_DB: config.couch.settingsDb,
  };
}

/** `NAME='value'` lines a POSIX shell reads with `set -a; . FILE`; readable by the owner only (a client secret). */
function writeSimEnv(file: string, variables: Record<string, string>): void {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const lines = [
    '# The simulated cmsweb of the running demo (removed when it stops). Use it with:',
    `#   set -a; . ${file}; set +a`,
    '#   node build/cli.js --action check',
    ...Object.entries(variables).map(([name, value]) => `${name}=${quote(value)}`),
  ];
  rmSync(file, { force: true }); // so that the mode applies: it is set only on creation
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

function readState(dir: string, seed: number): DemoState {
  const file = path.join(dir, 'demo-state.json');
  if (!existsSync(file))
    return { seed, startTime: Math.floor(Date.now() / 1000) - HEAD_START_S, ticks: 0 };
  const state = JSON.parse(readFileSync(file, 'utf8')) as DemoState;
  if (state.seed !== seed) {
    throw new Error(
      `the data in ${dir} was made with DEMO_SEED=${state.seed}; use that seed, or another STATS_DATA_DIR`,
    );
  }
  return state;
}

function writeState(dir: string, state: DemoState): void {
  writeFileSync(path.join(dir, 'demo-state.json'), JSON.stringify(state));
}
