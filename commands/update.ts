/**
 * `--action update [--name NAME] [--trigger-prod] [--trigger-dev]`: the update run, or
 * the update of one workflow. Exit status: 0 all well, 1 some workflow or notification
 * failed (it is retried by the next run), the run is incomplete, or `--name` names a
 * workflow neither ReqMgr2 nor Stats2 has; 3 another run holds the lock.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createOutput } from '../lib/logger.js';
import { acquireRunLock, RunLockedError } from '../couch/run-lock.js';
import { composeClock, composeUpdater } from '../compose.js';
import { unixSeconds } from '../lib/clock.js';
import { runSucceeded, runUpdate, updateWorkflow, type RunSummary } from '../updater/run.js';
import type { CallbackTarget } from '../updater/upstream-port.js';
import { openDatabases } from '../couch/open-databases.js';
import type { CommandContext } from './context.js';
import { formatSummary, progressDisplay } from './update-progress.js';
import { checkUpdateConfig } from '../preflight/update-config.js';

export interface UpdateArguments {
  name?: string;
  triggerProd?: boolean;
  triggerDev?: boolean;
}

export const EXIT_LOCKED = 3;

export async function runUpdateCommand(
  { config, logger: commandLogger, output: commandOutput }: CommandContext,
  args: UpdateArguments,
): Promise<number> {
  // Every log line of this run, the upstream clients' and its result included, says which run it is.
  const logger = commandLogger.child({ runId: randomBytes(4).toString('hex') });
  const output = createOutput(commandOutput.format, logger);
  const triggers: CallbackTarget[] = [
    ...(args.triggerProd ? ['prod' as const] : []),
    ...(args.triggerDev ? ['dev' as const] : []),
  ];
  checkUpdateConfig(config, triggers);
  // History entries, LastUpdate and the run's record carry this clock's time (STATS_CLOCK_URL).
  const clock = await composeClock(config);
  const now = () => unixSeconds(clock);

  const db = await openDatabases(config, { existing: true });
  const updater = await composeUpdater(config, { repositories: db, logger, triggers });
  const { deps } = updater;
  const progress =
    output.format === 'human' ? progressDisplay(process.stderr) : progressDisplay(undefined);
  const started = performance.now();
  try {
    let summary: RunSummary;
    if (args.name !== undefined) {
      const stored = (await db.workflows.get(args.name)) !== undefined;
      summary = await updateWorkflow(args.name, deps, {
        triggers,
        now,
        onProgress: progress.update,
      });
      progress.stop();
      const gone = oneWorkflowGone(args.name, stored, summary);
      if (gone?.unknown) {
        output.fail(gone.message, { workflow: args.name });
        return 1;
      }
      if (gone) {
        output.say(gone.message, { workflow: args.name, deleted: true });
        return 0;
      }
    } else {
      let lock;
      try {
        lock = await acquireRunLock(db.server, config.couch.settingsDb, {
          ttlMs: config.updater.lockTtlSeconds * 1000,
        });
      } catch (err) {
        if (err instanceof RunLockedError) {
          output.fail(err.message);
          return EXIT_LOCKED;
        }
        throw err;
      }
      try {
        summary = await runUpdate(deps, {
          triggers,
          now,
          onProgress: progress.update,
          pageSize: config.updater.pageSize,
          batchSize: config.updater.batchSize,
        });
      } finally {
        await lock.release();
      }
    }
    progress.stop();
    const elapsedMs = performance.now() - started;
    output.say(output.format === 'human' ? formatSummary(summary, elapsedMs) : 'update finished', {
      summary: { ...summary, failed: summary.failed.length, elapsedMs: Math.round(elapsedMs) },
    });
    return runSucceeded(summary) ? 0 : 1;
  } finally {
    progress.stop();
    await updater.close();
    await db.close();
  }
}

/**
 * A one-workflow update that found no such request in ReqMgr2: it deleted the stored
 * copy, or there was none and the name is unknown to both.
 */
export function oneWorkflowGone(
  name: string,
  wasStored: boolean,
  summary: RunSummary,
): { unknown: boolean; message: string } | undefined {
  if (summary.deleted === 0) return undefined;
  return wasStored
    ? {
        unknown: false,
        message: `${name}: ReqMgr2 no longer has this workflow; deleted from Stats2`,
      }
    : { unknown: true, message: `no workflow ${name} in ReqMgr2 or in Stats2` };
}
