/**
 * The embedded server's life under real commands (`node cli.js`, no COUCHDB_URL): a
 * command killed at any moment of its start leaves no server behind, and commands
 * started all at once on one data folder share one server instead of crashing.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedCouch } from '../../couch/embedded.js';
import { serverProcesses } from '../../couch/embedded-protocol.js';
import type { Simulator } from '../../sim/index.js';
import { CLI, messages, runCli } from '../ops/support/cli.js';
import { startTestSimulator } from '../sim/support.js';

/** The environment of a command on the embedded server in `dataDir` (nothing of the test server's). */
function embeddedEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(COUCHDB_|DB_URL|STATS_DB_AUTH|REQUESTS_DB|SETTINGS_DB)/.test(name)) delete env[name];
  }
  return { ...env, STATS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
}

function start(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('embedded CouchDB under real commands', function () {
  this.timeout(600_000);

  it('leaves no server behind when its command is killed 0–500 ms after starting it (50 kills)', async () => {
    // Counted from the moment the server process exists: a command that dies before it
    // spawns one leaves nothing anyway, and on a busy machine node takes longer than
    // 500 ms to get there.
    const kills = Array.from({ length: 50 }, (_, i) => i * 10);
    // Five at a time: a shared machine starts node slowly enough as it is.
    for (let batch = 0; batch < kills.length; batch += 5) {
      const trials = kills.slice(batch, batch + 5).map(async (afterMs) => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stats2-kill-'));
        const serverDir = path.join(dataDir, 'couchdb');
        // setup: a command that starts the server on a fresh folder.
        const command = start(['--action', 'setup'], embeddedEnv(dataDir));
        const exited = new Promise((resolve) => command.once('exit', resolve));
        while (serverProcesses(serverDir).length === 0 && command.exitCode === null) await sleep(5);
        await sleep(afterMs);
        command.kill('SIGKILL');
        await exited;
        await sleep(2000);
        const orphans = serverProcesses(serverDir);
        for (const pid of orphans) process.kill(pid, 'SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
        return `${afterMs} ms: ${orphans.length} left`;
      });
      const outcomes = await Promise.all(trials);
      expect(outcomes).to.deep.equal(
        outcomes.map((outcome) => outcome.replace(/\d+ left$/, '0 left')),
      );
    }
  });

  describe('commands started at once on one data folder', () => {
    let sim: Simulator;
    let template: string;
    let name: string;

    before(async () => {
      sim = await startTestSimulator({ seed: 3, workflows: 30, active: 10 });
      template = mkdtempSync(path.join(os.tmpdir(), 'stats2-at-once-'));
      const env = embeddedEnv(template, sim.env);
      expect((await runCli(['--action', 'setup'], env, 60_000)).code).to.equal(0);
      expect((await runCli(['--action', 'update'], env, 120_000)).code).to.equal(0);
      const couch = await startEmbeddedCouch({ dir: path.join(template, 'couchdb') });
      const first = (await (
        await fetch(`${couch.url}/requests/_all_docs?limit=10`, {
          headers: { authorization: couch.authHeader },
        })
      ).json()) as { rows: Array<{ id: string }> };
      await couch.stop();
      // A workflow: design documents (ids starting with _) sort first and are not workflows.
      name = (first.rows.find((row) => !row.id.startsWith('_')) as { id: string }).id;
    });

    after(async () => {
      await sim.close();
      rmSync(template, { recursive: true, force: true });
    });

    // Each round starts ten node processes and a server: 20 rounds (the proof) take
    // minutes of CPU, too much for every `npm test`; STATS_TEST_ROUNDS=20 runs them all.
    const rounds = Number(process.env.STATS_TEST_ROUNDS ?? 4);

    it(`share one server: all succeed or exit 3 "another run holds the lock", none crash (10 commands, ${rounds} times)`, async () => {
      const commands = [
        ...Array.from({ length: 3 }, () => ['--action', 'update']),
        ['--action', 'setup'],
        ...Array.from({ length: 6 }, () => ['--action', 'see', '--name', name]),
      ];
      for (let round = 0; round < rounds; round++) {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stats2-at-once-'));
        cpSync(template, dataDir, { recursive: true });
        const env = embeddedEnv(dataDir, sim.env);
        const results = await Promise.all(commands.map((args) => runCli(args, env, 180_000)));
        results.forEach((result, i) => {
          const args = (commands[i] as string[]).join(' ');
          const what = `round ${round}: ${args} → ${result.code}\n${result.stdout}\n${result.stderr}`;
          const allowed = args === '--action update' ? [0, 3] : [0];
          expect(result.code, what).to.be.oneOf(allowed);
          if (result.code === 3) {
            // Not a terminal: the refusal is an error record on stdout (the output rule).
            expect(messages(result.stdout), what).to.satisfy((lines: string[]) =>
              lines.some((line) => line.startsWith('another update run holds the lock')),
            );
          }
          expect(result.stderr, what).not.to.match(/\n\s+at |LOCK:/);
          expect(result.stdout, what).not.to.match(/LOCK:|\\n\s+at /);
        });
        expect(
          results.filter(
            (result, i) => (commands[i] as string[])[1] === 'update' && result.code === 0,
          ),
          `round ${round}: some update ran`,
        ).to.have.length.at.least(1);
        // The last command to finish stopped the server.
        const serverDir = path.join(dataDir, 'couchdb');
        const deadline = Date.now() + 5000;
        while (serverProcesses(serverDir).length > 0 && Date.now() < deadline) await sleep(100);
        expect(serverProcesses(serverDir), `round ${round}: server left running`).to.deep.equal([]);
        const serverLog = readFileSync(path.join(serverDir, 'server.log'), 'utf8');
        expect(serverLog, `round ${round}: the server's log`).not.to.match(/"level":(50|60)/);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
