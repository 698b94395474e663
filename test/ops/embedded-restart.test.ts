/**
 * kill -9 of the embedded CouchDB under the running website (main.js) and under the
 * demo: the server is started again by the processes that use it, the pages say plainly
 * that the data may be stale while it is down (and keep showing the last update run),
 * and the demo's next update runs at once.
 */
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryLock } from '../../couch/embedded-lock.js';
import { serverProcesses, type RunningServer } from '../../couch/embedded-protocol.js';
import type { Simulator } from '../../sim/index.js';
import { startTestSimulator } from '../sim/support.js';
import { CLI, runCli } from './support/cli.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../main.js');
const STALE = 'Data may be stale: the database has not answered since';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function embeddedEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(COUCHDB_|DB_URL|STATS_DB_AUTH|REQUESTS_DB|SETTINGS_DB|DEMO_|STATS_)/.test(name)) {
      delete env[name];
    }
  }
  return { ...env, STATS_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...extra };
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  url: string;
  stop(): Promise<number | null>;
}

/** Starts a long-running program and waits for the line that gives its address. */
async function startProgram(
  args: string[],
  env: NodeJS.ProcessEnv,
  address: RegExp,
): Promise<Running> {
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 180_000;
  let match: RegExpExecArray | null = null;
  while (!(match = address.exec(output))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start:\n${output}`);
    }
    await sleep(100);
  }
  return {
    child,
    output: () => output,
    url: match[1] as string,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function page(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return `${response.status} ${await response.text()}`;
  } catch (err) {
    return `no answer: ${(err as Error).message}`;
  }
}

async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(200);
  }
}

function running(serverDir: string): RunningServer {
  return JSON.parse(readFileSync(path.join(serverDir, 'running.json'), 'utf8')) as RunningServer;
}

/** The header's "Last update run": its exact time, or what it says instead ("never", "unknown"). */
function lastUpdateRunCell(html: string): string {
  const cell = /<dt>Last update run<\/dt><dd>(.*?)<\/dd>/.exec(html)?.[1] ?? '';
  return /<time title="([^"]+)"/.exec(cell)?.[1] ?? cell;
}

/**
 * Kills the embedded server of `serverDir` with SIGKILL while holding its start lock, so
 * that nobody can start it again until `release()`: the time it is down is the test's.
 */
async function killServerAndHoldItDown(
  serverDir: string,
): Promise<{ killed: number; release(): Promise<void> }> {
  const startLock = await tryLock(path.join(serverDir, 'start.lock'));
  if (!startLock) throw new Error('the start lock is held');
  const killed = running(serverDir).pid;
  process.kill(killed, 'SIGKILL');
  return { killed, release: () => startLock.release() };
}

describe('kill -9 of the embedded CouchDB under the running website and demo', function () {
  this.timeout(600_000);
  let sim: Simulator;

  before(async () => {
    sim = await startTestSimulator({ seed: 5, workflows: 40, active: 10 });
  });

  after(async () => {
    await sim.close();
  });

  it('the website: says the data may be stale while it is down, keeps the last run, and comes back', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stats2-site-restart-'));
    const serverDir = path.join(dataDir, 'couchdb');
    const env = embeddedEnv(dataDir, sim.env);
    expect((await runCli(['--action', 'setup'], env, 120_000)).code).to.equal(0);
    expect((await runCli(['--action', 'update'], env, 180_000)).code).to.equal(0);
    const site = await startProgram(
      [MAIN, '--port', '0'],
      env,
      /Stats2 website at (http:\/\/[^\s"]+)/,
    );
    try {
      await waitFor('the list page', async () => (await page(site.url)).startsWith('200 '), 60_000);
      const before = await page(site.url);
      expect(before).not.to.include(STALE);
      const lastRun = lastUpdateRunCell(before);
      expect(lastRun).to.match(/ UTC$/);

      const down = await killServerAndHoldItDown(serverDir);
      let stale = '';
      await waitFor(
        'the stale-data banner',
        async () => (stale = await page(site.url)).includes(STALE),
        30_000,
      );
      expect(stale.startsWith('200 '), 'pages are still served').to.equal(true);
      expect(lastUpdateRunCell(stale)).to.equal(lastRun);

      await down.release();
      await waitFor(
        'the server started again',
        async () => {
          try {
            return running(serverDir).pid !== down.killed;
          } catch {
            return false;
          }
        },
        60_000,
      );
      await waitFor('the banner gone', async () => !(await page(site.url)).includes(STALE), 60_000);
      expect(site.output()).to.include('the embedded CouchDB stopped; starting it again');
      expect(site.output()).to.include('the embedded CouchDB answers again');
    } finally {
      expect(await site.stop()).to.equal(0);
    }
    await waitFor('no server left', async () => serverProcesses(serverDir).length === 0, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the demo: restarted, stale while down, and its next update runs at once', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stats2-demo-restart-'));
    const serverDir = path.join(dataDir, 'couchdb');
    const env = embeddedEnv(dataDir, {
      DEMO_WORKFLOWS: '40',
      DEMO_ACTIVE: '10',
      DEMO_TICK_S: '1',
      STATS_PORT: '0',
    });
    const demo = await startProgram(
      [CLI, '--action', 'demo'],
      env,
      /Stats2 is at (http:\/\/[^\s"]+)/,
    );
    try {
      await waitFor('a tick', async () => /\+1 h simulated/.test(demo.output()), 60_000);
      await waitFor('the list page', async () => (await page(demo.url)).startsWith('200 '), 60_000);
      expect(lastUpdateRunCell(await page(demo.url))).to.match(/ UTC$/);

      // A run of the demo whose lock could not be released (the server died under it).
      const admin = JSON.parse(readFileSync(path.join(serverDir, 'admin.json'), 'utf8')) as {
        user: string;
        password: string;
      };
      const authorization = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
      const { url } = running(serverDir);
      const lockUrl = `${url}/settings/update_lock`;
      const existing = await fetch(lockUrl, { headers: { authorization } });
      const rev = existing.ok ? ((await existing.json()) as { _rev: string })._rev : undefined;
      const left = await fetch(lockUrl, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(rev ? { _rev: rev } : {}),
          owner: `${hostname()}:${demo.child.pid}:0:ended`,
          host: hostname(),
          pid: demo.child.pid,
          acquired: new Date().toISOString(),
          expires: Date.now() + 600_000,
        }),
      });
      expect(left.status, await left.text()).to.be.oneOf([201, 409]);
      const down = await killServerAndHoldItDown(serverDir);
      let stale = '';
      await waitFor(
        'the stale-data banner',
        async () => (stale = await page(demo.url)).includes(STALE),
        30_000,
      );
      expect(lastUpdateRunCell(stale)).to.match(/ UTC$/);

      const ticksBefore = demo.output().split('+1 h simulated').length;
      await down.release();
      await waitFor(
        'the demo updating again',
        async () => demo.output().split('+1 h simulated').length > ticksBefore + 1,
        60_000,
      );
      await waitFor('the banner gone', async () => !(await page(demo.url)).includes(STALE), 60_000);
      expect(demo.output()).not.to.include('another update run holds the lock');
      // Ticks while it was down: one warning line each, no stack trace.
      const unreachable = demo
        .output()
        .split('\n')
        .filter((line) => line.includes('CouchDB cannot be reached'));
      expect(unreachable.length, 'ticks failed while it was down').to.be.greaterThan(0);
      for (const line of unreachable) {
        expect(line).to.match(/^\{"level":40,/);
        expect(line).not.to.include('"stack"');
      }
      expect(demo.output()).to.include('the embedded CouchDB answers again');
    } finally {
      expect(await demo.stop()).to.equal(0);
    }
    await waitFor('no server left', async () => serverProcesses(serverDir).length === 0, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
