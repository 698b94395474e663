/**
 * Runs jobs on cron expressions (node-cron), each run as a child process so that a job
 * that crashes or leaks never takes the scheduler with it. A job never overlaps itself:
 * a tick that comes while the job's previous run is still going is skipped and logged.
 * Nor do two jobs run at once (an update and a compaction compete for the same database):
 * a job whose tick comes while another runs waits for it, then runs. `stop` starts no
 * new runs and waits, within a bound, for the running ones.
 */
import { spawn } from 'node:child_process';
import {
  createTask,
  validateDetailed,
  type Logger as CronLogger,
  type ScheduledTask,
} from 'node-cron';
import { BadRequestError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

export interface Job {
  name: string;
  cron: string;
  /** Program and arguments, e.g. [node, cli.js, '--action', 'update']. */
  command: string[];
}

export interface Scheduler {
  /** The runs that are going on now, by job name. */
  running(): string[];
  /** No new runs; waits up to `timeoutMs` for running ones, then terminates them. */
  stop(timeoutMs: number): Promise<void>;
}

export const CRON_EXAMPLE =
  "'*/15 * * * *' (minute hour day-of-month month day-of-week; an optional seconds field may come first)";

/** Throws a message that names the expression's source and what is wrong with it. */
export function checkCron(expression: string, source: string): void {
  const result = validateDetailed(expression);
  if (result.valid) return;
  const problems = result.errors.map((e) =>
    e.field === 'expression' ? e.message : `${e.field} field: ${e.message}`,
  );
  throw new BadRequestError(
    `${source} "${expression}" is not a cron expression (${problems.join('; ')}); example: ${CRON_EXAMPLE}`,
  );
}

interface RunningJob {
  pid: number | undefined;
  finished: Promise<void>;
}

const KILL_GRACE_MS = 10_000;

export function startScheduler(jobs: readonly Job[], logger: Logger): Scheduler {
  const runs = new Map<string, RunningJob>();
  let stopping = false;
  /** Settles when the job that runs or waits last has finished: jobs take turns. */
  let turn: Promise<void> = Promise.resolve();
  /** The jobs that run or wait for their turn, in order. */
  const line: string[] = [];

  const inTurn = (job: Job): Promise<void> => {
    if (line.length > 0) {
      logger.info(
        { job: job.name, waitsFor: [...line] },
        `${job.name} waits for ${line.join(', ')} to finish`,
      );
    }
    line.push(job.name);
    const mine = turn.then(() => run(job)).finally(() => line.splice(line.indexOf(job.name), 1));
    turn = mine;
    return mine;
  };

  const run = (job: Job): Promise<void> => {
    if (stopping) return Promise.resolve();
    const started = Date.now();
    const [program, ...args] = job.command as [string, ...string[]];
    // Its own process group: Ctrl-C in a terminal reaches the scheduler, which lets the job finish.
    const child = spawn(program, args, { stdio: 'inherit', detached: true });
    logger.info({ job: job.name, pid: child.pid }, `${job.name} started`);
    const finished = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        logger.error(
          { job: job.name, err },
          `${job.name} could not be started: ${err.message}; check SCHEDULE_JOB_COMMAND`,
        );
        resolve();
      });
      child.once('exit', (code, signal) => {
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        if (code === 0) {
          logger.info({ job: job.name, seconds }, `${job.name} finished`);
        } else {
          const how = signal ?? `exit status ${code}`;
          logger.error({ job: job.name, code, signal, seconds }, `${job.name} failed (${how})`);
        }
        resolve();
      });
    }).finally(() => runs.delete(job.name));
    runs.set(job.name, { pid: child.pid, finished });
    return finished;
  };

  const tasks: ScheduledTask[] = jobs.map((job) => {
    const task = createTask(job.cron, () => inTurn(job), {
      name: job.name,
      noOverlap: true,
      logger: cronLogger(logger, job.name),
    });
    task.on('execution:overlap', () => {
      logger.warn(
        { job: job.name },
        `${job.name} skipped: its previous run (pid ${runs.get(job.name)?.pid}) is still going`,
      );
    });
    task.on('execution:missed', (context) => {
      logger.warn(
        { job: job.name, tick: context.date },
        `${job.name} missed its tick: the scheduler was blocked`,
      );
    });
    task.start();
    return task;
  });

  return {
    running: () => [...runs.keys()],
    async stop(timeoutMs) {
      stopping = true;
      for (const task of tasks) await task.destroy();
      const pending = [...runs.entries()];
      if (pending.length === 0) return;
      logger.info(
        { jobs: pending.map(([name]) => name), timeoutMs },
        'waiting for running jobs to finish',
      );
      const all = Promise.all(pending.map(([, job]) => job.finished));
      if (await settlesWithin(all, timeoutMs)) return;
      for (const [name, job] of pending) {
        if (!runs.has(name) || job.pid === undefined) continue;
        logger.warn(
          { job: name, pid: job.pid },
          `${name} still running after ${timeoutMs} ms; terminating it`,
        );
        signalGroup(job.pid, 'SIGTERM');
      }
      if (await settlesWithin(all, KILL_GRACE_MS)) return;
      for (const [name, job] of pending) {
        if (runs.has(name) && job.pid !== undefined) signalGroup(job.pid, 'SIGKILL');
      }
      await all;
    },
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** node-cron's own messages in our JSON logs; its warnings repeat the events logged above. */
function cronLogger(logger: Logger, job: string): CronLogger {
  return {
    info: (message) => logger.debug({ job }, message),
    warn: (message) => logger.debug({ job }, message),
    error: (message, err) => logger.error({ job, err: err ?? message }, String(message)),
    debug: (message) => logger.debug({ job }, String(message)),
  };
}
