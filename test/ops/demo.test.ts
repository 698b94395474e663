/**
 * The demo as an operator meets it: started from the CLI on a fresh data folder, it leaves
 * the simulator's environment in `data/sim.env`, and other commands, run from another
 * folder with nothing but that file, reach the same simulated cmsweb and database.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireRunLock, RunLockedError, type RunLock } from '../../couch/run-lock.js';
import { openDatabases } from '../../couch/open-databases.js';
import { loadConfig } from '../../lib/config.js';
import { CLI, messages, type CliResult } from './support/cli.js';

/** The demo's world starts 30 days behind the system clock. */
const HEAD_START_S = 30 * 86_400;

/** The JSON records of a demo's output. */
function records(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Resolves once a record of the demo's output after the first `skip` ones passes `test`. */
async function recordWhere(
  output: { text: string },
  test: (record: Record<string, unknown>) => boolean,
  skip = 0,
  timeoutMs = 120_000,
): Promise<{ record: Record<string, unknown>; index: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = records(output.text);
    const index = all.findIndex((record, i) => i >= skip && test(record));
    if (index >= 0) return { record: all[index] as Record<string, unknown>, index };
    if (Date.now() > deadline) throw new Error(`no such record in:\n${output.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `set -a; . FILE; set +a`, then the CLI: the environment comes from the file alone. */
function fromSimEnv(file: string, args: string[], cwd: string): Promise<CliResult> {
  const command = `set -a; . '${file}'; set +a; exec '${process.execPath}' '${CLI}' ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the demo's output so far once a line says it serves. */
function served(demo: ChildProcess, output: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (/"msg":"Stats2 is at http/.test(output.text)) resolve();
    };
    demo.stdout?.on('data', look);
    demo.on('exit', (code) =>
      reject(new Error(`the demo exited (${String(code)}) before serving:\n${output.text}`)),
    );
  });
}

/**
 * Starts the demo on `dataDir` with 40 workflows, 5 active (`env` adds variables) and
 * resolves once it serves, with its output so far and on.
 */
async function startDemo(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ demo: ChildProcess; output: { text: string } }> {
  const output = { text: '' };
  const demo = spawn(process.execPath, [CLI, 'demo'], {
    env: {
      PATH: process.env.PATH,
      STATS_DATA_DIR: dataDir,
      STATS_PORT: '0',
      DEMO_WORKFLOWS: '40',
      DEMO_ACTIVE: '5',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
  demo.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
  try {
    await served(demo, output);
  } catch (err) {
    demo.kill('SIGKILL');
    throw err;
  }
  return { demo, output };
}

/** Stops the demo as Ctrl-C does; resolves with its exit status. */
async function interrupt(demo: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
  demo.kill('SIGINT');
  return exited;
}

describe('--action demo and data/sim.env', function () {
  this.timeout(300_000);
  let dir: string;
  let demo: ChildProcess | undefined;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-demo-'));
  });
  after(() => {
    demo?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the simulator environment (absolute paths) for update, check and verify from anywhere', async () => {
    const dataDir = path.join(dir, 'data');
    const started = await startDemo(dataDir, { DEMO_TICK_S: '3600', LOG_LEVEL: 'warn' });
    demo = started.demo;
    const output = started.output;

    const file = path.join(dataDir, 'sim.env');
    expect(messages(output.text)).to.include(
      `Other commands can use the simulated cmsweb and this database: set -a; . ${file}; set +a`,
    );
    expect(statSync(file).mode & 0o777, 'it holds a client secret').to.equal(0o600);
    const variables = Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z]/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(variables.STATS_DATA_DIR).to.equal(`'${dataDir}'`);
    expect(variables.CMSWEB_URL).to.match(/^'https:\/\/127\.0\.0\.1:\d+'$/);
    expect(variables.STATS_CLOCK_URL).to.equal(
      `${(variables.CMSWEB_URL as string).slice(0, -1)}/simulator/clock'`,
    );

    // The website reads the simulated clock: the first update ran moments ago, not 30 days.
    const url = records(output.text).find((r) => typeof r.url === 'string')?.url as string;
    const page = await (await fetch(url)).text();
    expect(/<dt>Last update run<\/dt><dd>(.*?)<\/dd>/s.exec(page)?.[1]).to.match(/>\d+s ago</);
    for (const name of ['USERCRT', 'USERKEY', 'X509_CERT_DIR']) {
      const value = (variables[name] as string).slice(1, -1);
      expect(path.isAbsolute(value), name).to.equal(true);
      expect(existsSync(value), name).to.equal(true);
    }

    // From another folder, with the file as the only configuration.
    const elsewhere = os.tmpdir();
    const check = await fromSimEnv(file, ['check'], elsewhere);
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(messages(check.stdout).join('\n')).to.match(/^ok {3}upstream reachable: /m);
    const update = await fromSimEnv(file, ['--action', 'update'], elsewhere);
    expect(update.code, update.stdout + update.stderr).to.equal(0);
    expect(messages(update.stdout)).to.include('update finished');
    // It stamps the demo's (simulated) time, as the demo's own runs do.
    const summary = records(update.stdout).find((r) => r.msg === 'update finished')?.summary as {
      startedAt: number;
    };
    const simulatedNow = Date.now() / 1000 - HEAD_START_S;
    expect(summary.startedAt).to.be.within(simulatedNow - 600, simulatedNow + 60);
    const verify = await fromSimEnv(file, ['verify'], elsewhere);
    expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
    expect(messages(verify.stdout).at(-1)).to.match(
      /^\d+ workflows verified: (\d+) match, 0 mismatches, 0 could not be verified$/,
    );

    expect(await interrupt(demo)).to.equal(0);
    demo = undefined;
    expect(existsSync(file), 'sim.env is removed when the demo stops').to.equal(false);
  });

  it('a tick that meets a run holding the lock is a warning without a stack; the index snapshot is kept', async () => {
    const dataDir = path.join(dir, 'ticking');
    const started = await startDemo(dataDir, { DEMO_TICK_S: '1' });
    demo = started.demo;
    const output = started.output;

    // Another run (this test) holds the lock: taken between two of the demo's ticks.
    const db = await openDatabases(loadConfig({ STATS_DATA_DIR: dataDir }), { existing: true });
    let lock: RunLock | undefined;
    try {
      while (lock === undefined) {
        lock = await acquireRunLock(db.server, 'settings').catch((err: unknown) => {
          if (err instanceof RunLockedError) return undefined;
          throw err;
        });
      }
      const { record: skipped, index } = await recordWhere(output, (r) =>
        String(r.msg).startsWith('update skipped: '),
      );
      expect(skipped.level, 'a warning').to.equal(40);
      expect(skipped.msg).to.match(
        /^update skipped: another update run holds the lock \(pid \d+ on [^,]+, since [^)]+\); the next tick runs it$/,
      );
      expect(skipped, 'no error object, no stack').not.to.have.any.keys('err', 'stack');
      expect(output.text).not.to.match(/RunLockedError|"level":50/);
      await lock.release();
      lock = undefined;
      await recordWhere(output, (r) => /^\+1 h simulated: /.test(String(r.msg)), index + 1);
    } finally {
      await lock?.release();
      await db.close();
    }

    expect(await interrupt(demo)).to.equal(0);
    demo = undefined;
    const snapshots = readdirSync(path.join(dataDir, 'website'));
    expect(snapshots.length, 'the website kept its index snapshot').to.be.greaterThan(0);

    // A second start is a warm one: the embedded server has another port, the same data.
    const restarted = await startDemo(dataDir, { DEMO_TICK_S: '3600' });
    demo = restarted.demo;
    const again = restarted.output;
    const site = new URL(records(again.text).find((r) => typeof r.url === 'string')?.url as string);
    const health = (await (await fetch(`${site.origin}/healthz`)).json()) as {
      index: { loadedFrom: string };
    };
    expect(health.index.loadedFrom, again.text).to.equal('snapshot');
    expect(await interrupt(demo)).to.equal(0);
    demo = undefined;
  });

  it('npm run sim prints absolute certificate paths and quoted exports, whatever --dir says', async () => {
    const simCli = path.join(path.dirname(CLI), 'sim', 'cli.js');
    const sim = spawn(
      process.execPath,
      [simCli, '--workflows', '10', '--active', '1', '--dir', 'relative/sim'],
      { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    await new Promise<void>((resolve, reject) => {
      sim.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('Try: curl')) resolve();
      });
      sim.on('exit', (code) =>
        reject(new Error(`the simulator exited (${String(code)}): ${text}`)),
      );
    });
    const exited = new Promise<number | null>((resolve) => sim.once('exit', resolve));
    sim.kill('SIGINT');
    expect(await exited).to.equal(0);

    const certificates = text.split('Certificates\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(certificates.length).to.be.greaterThan(3);
    for (const line of certificates) {
      const file = line.trim().split(/\s+/)[1] as string;
      expect(file.startsWith(path.join(dir, 'relative', 'sim')), line).to.equal(true);
      expect(existsSync(file), line).to.equal(true);
    }
    expect(text).to.include(`export USERCRT='${path.join(dir, 'relative', 'sim')}`);
  });
});
