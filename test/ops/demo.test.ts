/**
 * The demo as an operator meets it: started from the CLI on a fresh data folder, it leaves
 * the simulator's environment in `data/sim.env`, and other commands, run from another
 * folder with nothing but that file, reach the same simulated cmsweb and database.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, messages, type CliResult } from './support/cli.js';

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
    const output = { text: '' };
    demo = spawn(process.execPath, [CLI, 'demo'], {
      env: {
        PATH: process.env.PATH,
        STATS_DATA_DIR: dataDir,
        STATS_PORT: '0',
        DEMO_WORKFLOWS: '40',
        DEMO_ACTIVE: '5',
        DEMO_TICK_S: '3600',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
    demo.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
    await served(demo, output);

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
    const verify = await fromSimEnv(file, ['verify'], elsewhere);
    expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
    expect(messages(verify.stdout).at(-1)).to.match(
      /^\d+ workflows verified: (\d+) match, 0 mismatches, 0 could not be verified$/,
    );

    const exited = new Promise<number | null>((resolve) => demo?.once('exit', resolve));
    demo.kill('SIGINT');
    expect(await exited).to.equal(0);
    demo = undefined;
    expect(existsSync(file), 'sim.env is removed when the demo stops').to.equal(false);
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
