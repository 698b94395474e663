import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { scheduledJobs } from '../../commands/schedule.js';
import { startScheduler } from '../../commands/scheduler.js';
import { loadConfig } from '../../lib/config.js';
import { BadRequestError } from '../../lib/errors.js';
import { createLogger } from '../../lib/logger.js';
import { CLI } from './support/cli.js';

/** A job that logs its start (with its arguments) and end to a file, takes `ms` in between, and exits with `status`. */
const FAKE_JOB = `
import { appendFileSync } from 'node:fs';
const [log, ms, status, ...args] = process.argv.slice(2);
appendFileSync(log, 'start ' + Date.now() + ' ' + args.join(' ') + '\\n');
setTimeout(() => {
  appendFileSync(log, 'end ' + Date.now() + '\\n');
  process.exitCode = Number(status);
}, Number(ms));
`;

interface Run {
  start: number;
  end?: number;
  args: string;
}

function runsIn(log: string): Run[] {
  if (!existsSync(log)) return [];
  const runs: Run[] = [];
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [kind, time, ...args] = line.split(' ');
    if (kind === 'start') runs.push({ start: Number(time), args: args.join(' ') });
    else if (kind === 'end') (runs.at(-1) as Run).end = Number(time);
  }
  return runs;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('--action schedule', function () {
  this.timeout(30_000);
  let dir: string;
  let fakeJob: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-schedule-'));
    fakeJob = path.join(dir, 'fake-job.mjs');
    writeFileSync(fakeJob, FAKE_JOB);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('cron settings', () => {
    const config = (env: Record<string, string> = {}) =>
      loadConfig({ SCHEDULE_JOB_COMMAND: '["job"]', ...env });

    it('takes flags over the environment over the defaults, and "off" turns a job off', () => {
      expect(scheduledJobs(config(), {}).map((job) => [job.name, job.cron])).to.deep.equal([
        ['update', '*/15 * * * *'],
        ['compact', '40 3 * * *'],
      ]);
      const jobs = scheduledJobs(
        config({ SCHEDULE_UPDATE_CRON: '*/5 * * * *', SCHEDULE_COMPACT_CRON: '0 4 * * *' }),
        {
          compactCron: 'off',
          triggerProd: true,
        },
      );
      expect(jobs).to.deep.equal([
        {
          name: 'update',
          cron: '*/5 * * * *',
          command: ['job', '--action', 'update', '--trigger-prod'],
        },
      ]);
    });

    it('says which setting is wrong and why', () => {
      expect(() => scheduledJobs(config(), { updateCron: '61 * * * *' })).to.throw(
        BadRequestError,
        '--update-cron "61 * * * *" is not a cron expression (minute field: 61 is a invalid expression for minute); example:',
      );
      expect(() => scheduledJobs(config({ SCHEDULE_COMPACT_CRON: 'daily' }), {})).to.throw(
        BadRequestError,
        'SCHEDULE_COMPACT_CRON "daily" is not a cron expression (expected 5 or 6 fields but got 1)',
      );
      expect(() => scheduledJobs(config(), { updateCron: 'off', compactCron: 'off' })).to.throw(
        BadRequestError,
        'nothing to schedule',
      );
      expect(() => loadConfig({ SCHEDULE_JOB_COMMAND: 'node cli.js' })).to.throw(
        'SCHEDULE_JOB_COMMAND must be a JSON array of strings',
      );
    });
  });

  it('never starts a job while its previous run goes on, logs the skipped ticks, and outlives failing runs', async () => {
    const log = path.join(dir, 'overlap.log');
    const lines: Array<{ msg: string; level: number }> = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
        done();
      },
    });
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          cron: '* * * * * *',
          command: [process.execPath, fakeJob, log, '1500', '1'],
        },
      ],
      createLogger({ level: 'info' }, capture),
    );
    try {
      await waitFor(() => runsIn(log).filter((run) => run.end !== undefined).length >= 2, 10_000);
    } finally {
      await scheduler.stop(5000);
    }

    const runs = runsIn(log);
    expect(runs.length).to.be.at.least(2);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]?.start, `run ${i} started before run ${i - 1} ended`).to.be.at.least(
        runs[i - 1]?.end as number,
      );
    }
    expect(
      lines.some(
        (line) => line.msg.startsWith('slow skipped: its previous run') && line.level === 40,
      ),
    ).to.equal(true);
    expect(lines.filter((line) => line.msg === 'slow failed (exit status 1)')).to.have.length(
      runs.length,
    );
    expect(
      runs.every((run) => run.end !== undefined),
      'stop waited for the last run',
    ).to.equal(true);
  });

  it('runs one job at a time: a job whose tick comes while another runs waits for it', async () => {
    const log = path.join(dir, 'turns.log');
    const lines: Array<{ msg: string }> = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string });
        done();
      },
    });
    const job = (name: string) => ({
      name,
      cron: '* * * * * *',
      command: [process.execPath, fakeJob, log, '700', '0', name],
    });
    const scheduler = startScheduler([job('update'), job('compact')], createLogger({}, capture));
    try {
      await waitFor(() => runsIn(log).filter((run) => run.end !== undefined).length >= 4, 15_000);
    } finally {
      await scheduler.stop(5000);
    }

    const runs = runsIn(log);
    for (let i = 1; i < runs.length; i++) {
      expect(
        runs[i]?.start,
        `${runs[i]?.args} started while ${runs[i - 1]?.args} ran`,
      ).to.be.at.least(runs[i - 1]?.end as number);
    }
    expect(new Set(runs.map((run) => run.args))).to.deep.equal(new Set(['update', 'compact']));
    expect(lines.map((line) => line.msg)).to.include('compact waits for update to finish');
  });

  describe('as a child process', () => {
    function startCli(log: string, jobMs: number, env: Record<string, string> = {}) {
      const child = spawn(
        process.execPath,
        [CLI, '--action', 'schedule', '--update-cron', '* * * * * *', '--compact-cron', 'off'],
        {
          env: {
            ...process.env,
            LOG_LEVEL: 'warn',
            SCHEDULE_JOB_COMMAND: JSON.stringify([
              process.execPath,
              fakeJob,
              log,
              String(jobMs),
              '0',
            ]),
            ...env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        child.on('close', (code) => resolve({ code, at: Date.now() })),
      );
      return { child, exited, output: () => output, stdout: () => stdout };
    }

    it('on SIGTERM starts nothing new, waits for the running job, and exits 0', async () => {
      const log = path.join(dir, 'sigterm.log');
      const cli = startCli(log, 2000);
      await waitFor(() => runsIn(log).length === 1, 10_000);
      const signalledAt = Date.now();
      cli.child.kill('SIGTERM');
      const { code, at } = await cli.exited;

      expect(code, cli.output()).to.equal(0);
      const runs = runsIn(log);
      expect(runs).to.have.length(1);
      expect(runs[0]?.args).to.equal('--action update');
      expect(runs[0]?.end, 'the running job was allowed to finish').to.be.within(signalledAt, at);
      // Not a terminal: its own lines are JSON records too, like the jobs' (for journald).
      const records = cli
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string });
      expect(records.map((record) => record.msg)).to.include.members([
        "scheduler running: update at '* * * * * *'; stop it with SIGTERM or Ctrl-C",
        'SIGTERM: no new runs; waiting up to 120 s for update',
        'scheduler stopped',
      ]);
    });

    it('terminates a job that outlasts SCHEDULE_STOP_TIMEOUT_S, then exits 0', async () => {
      const log = path.join(dir, 'bound.log');
      const cli = startCli(log, 60_000, { SCHEDULE_STOP_TIMEOUT_S: '1' });
      await waitFor(() => runsIn(log).length === 1, 10_000);
      const signalledAt = Date.now();
      cli.child.kill('SIGTERM');
      const { code, at } = await cli.exited;

      expect(code, cli.output()).to.equal(0);
      expect(at - signalledAt).to.be.below(5000);
      expect(runsIn(log)[0]?.end).to.equal(undefined);
      expect(cli.output()).to.include('still running after 1000 ms; terminating it');
    });
  });
});
