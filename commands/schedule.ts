/**
 * `--action schedule`: for hosts without systemd timers. Runs `--action update` and
 * `--action compact` of this same CLI as child processes on cron expressions, until
 * SIGTERM or SIGINT; then starts nothing new, waits for a running job (bounded by
 * SCHEDULE_STOP_TIMEOUT_S) and exits 0.
 */
import { fileURLToPath } from 'node:url';
import type { Config } from '../lib/config.js';
import { BadRequestError } from '../lib/errors.js';
import type { CommandContext } from './context.js';
import { checkCron, startScheduler, type Job } from './scheduler.js';

export interface ScheduleArguments {
  updateCron?: string;
  compactCron?: string;
  triggerProd?: boolean;
  triggerDev?: boolean;
}

export const DEFAULT_UPDATE_CRON = '*/15 * * * *';
/** At a minute no default update tick falls on; and the scheduler runs one job at a time anyway. */
export const DEFAULT_COMPACT_CRON = '40 3 * * *';
/** A cron value that turns a job off. */
const OFF = 'off';

const CLI_PATH = fileURLToPath(new URL('../cli.js', import.meta.url));

export async function runSchedule(
  { config, logger, output }: CommandContext,
  args: ScheduleArguments,
): Promise<number> {
  const jobs = scheduledJobs(config, args);
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const scheduler = startScheduler(jobs, logger);
  output.say(
    `scheduler running: ${jobs.map((job) => `${job.name} at '${job.cron}'`).join(', ')}; stop it with SIGTERM or Ctrl-C`,
    { jobs: jobs.map((job) => ({ name: job.name, cron: job.cron })) },
  );

  const signal = await stopRequested;
  const running = scheduler.running();
  output.say(
    `${signal}: no new runs${running.length > 0 ? `; waiting up to ${config.schedule.stopTimeoutMs / 1000} s for ${running.join(', ')}` : ''}`,
    { signal, running },
  );
  await scheduler.stop(config.schedule.stopTimeoutMs);
  output.say('scheduler stopped');
  return 0;
}

/** The jobs to run, each on the cron of its flag, else of the environment, else the default; checked. */
export function scheduledJobs(config: Config, args: ScheduleArguments): Job[] {
  const base = config.schedule.jobCommand ?? [process.execPath, CLI_PATH];
  const triggers = [
    ...(args.triggerProd ? ['--trigger-prod'] : []),
    ...(args.triggerDev ? ['--trigger-dev'] : []),
  ];
  const candidates = [
    {
      name: 'update',
      extra: triggers,
      cron: chooseCron(
        DEFAULT_UPDATE_CRON,
        { value: args.updateCron, source: '--update-cron' },
        { value: config.schedule.updateCron, source: 'SCHEDULE_UPDATE_CRON' },
      ),
    },
    {
      name: 'compact',
      extra: [],
      cron: chooseCron(
        DEFAULT_COMPACT_CRON,
        { value: args.compactCron, source: '--compact-cron' },
        { value: config.schedule.compactCron, source: 'SCHEDULE_COMPACT_CRON' },
      ),
    },
  ];
  const jobs = candidates
    .filter((job) => job.cron !== OFF)
    .map((job) => ({
      name: job.name,
      cron: job.cron,
      command: [...base, '--action', job.name, ...job.extra],
    }));
  if (jobs.length === 0) {
    throw new BadRequestError(`both jobs are "${OFF}": there is nothing to schedule`);
  }
  return jobs;
}

function chooseCron(
  fallback: string,
  ...settings: Array<{ value: string | undefined; source: string }>
): string {
  const chosen = settings.find((setting) => setting.value !== undefined);
  const value = chosen?.value?.trim() ?? fallback;
  if (value !== OFF) checkCron(value, chosen?.source ?? 'default');
  return value;
}
