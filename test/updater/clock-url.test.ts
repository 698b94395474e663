/**
 * STATS_CLOCK_URL: `update` and `update --name` run against the demo's simulator stamp
 * the simulator's time (read from its clock endpoint), not the system's; a clock that
 * cannot be read, or answers no time, stops the command with a configuration error.
 */
import { expect } from 'chai';
import type { Simulator } from '../../sim/index.js';
import { SettingsRepository } from '../../couch/settings.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { cliEnv, messageText, runCli } from '../ops/support/cli.js';
import { setUpTestDatabases, type TestCouch } from '../support/couch.js';
import { startTestSimulator } from '../sim/support.js';

describe("STATS_CLOCK_URL: update on the simulator's clock", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let couch: TestCouch;

  before(async () => {
    // TEST_START_TIME (2025-01-01) is far from the system clock: a stamp tells which clock it came from.
    sim = await startTestSimulator({ seed: 11, workflows: 40, active: 10 });
    sim.world.advance(5 * 3600);
    couch = (await setUpTestDatabases('clockurl')).couch;
  });
  after(() => sim.close());
  afterEach(() => sim.faults.clear());

  const simulatedSeconds = () => Math.floor(sim.clock.now() / 1000);

  it('serves the simulated time at /simulator/clock', () => {
    expect(sim.urls.clock).to.equal(`${sim.urls.cmsweb}/simulator/clock`);
    expect(simulatedSeconds()).to.be.within(sim.world.now(), sim.world.now() + 60);
  });

  it("an update run and an update --name stamp the simulator's time, not the system's", async () => {
    const { names } = await setUpTestDatabases('clockrun');
    const env = cliEnv(couch, names, { ...sim.env, STATS_CLOCK_URL: sim.urls.clock });
    const before = simulatedSeconds();
    const run = await runCli(['--action', 'update'], env, 60_000);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    const after = simulatedSeconds();

    const settings = await new SettingsRepository(couch.server, names.settings).get();
    const lastRun = settings.last_run as { startedAt: number; finishedAt: number };
    expect(lastRun.startedAt).to.be.within(before, after);
    expect(lastRun.finishedAt).to.be.within(lastRun.startedAt, after);
    expect(settings.last_dbs_update_date).to.equal(lastRun.startedAt);
    const workflows = new WorkflowRepository(couch.server, names.requests);
    const name = [...sim.world.list()].find((w) => w.status === 'running-open')?.name as string;
    const doc = await workflows.get(name);
    expect(doc?.LastUpdate, name).to.be.within(before, after);
    for (const entry of doc?.EventNumberHistory ?? []) {
      expect(entry.Time, `${name} history`).to.be.within(before, after);
    }

    sim.world.advance(3600);
    const one = await runCli(['--action', 'update', '--name', name], env, 60_000);
    expect(one.code, one.stdout + one.stderr).to.equal(0);
    const updated = await workflows.get(name);
    expect(updated?.LastUpdate).to.be.within(sim.world.now(), simulatedSeconds());
  });

  it('a clock that does not answer, answers an error or answers no time: exit 2, one line, nothing written', async () => {
    const { names } = await setUpTestDatabases('clockbad');
    const cases: Array<{ url: string; fault?: boolean; says: RegExp }> = [
      { url: 'https://127.0.0.1:1/simulator/clock', says: /cannot be read \(/ },
      { url: sim.urls.clock, fault: true, says: /answered HTTP 502/ },
      {
        url: `${sim.urls.cmsweb}/couchdb/reqmgr_workload_cache`,
        says: /answered no time in epoch milliseconds \(epochMs: undefined\)/,
      },
      { url: 'not a url', says: /STATS_CLOCK_URL is not a URL/ },
    ];
    for (const { url, fault, says } of cases) {
      if (fault) sim.faults.set('clock', { htmlError: 1 });
      for (const args of [['update'], ['update', '--name', 'any_workflow']]) {
        const env = cliEnv(couch, names, { ...sim.env, STATS_CLOCK_URL: url });
        const run = await runCli(args, env, 30_000);
        const text = messageText(run.stdout);
        expect(run.code, `${url} ${args.join(' ')}: ${text}${run.stderr}`).to.equal(2);
        expect(text, url).to.match(says);
        expect(text, url).to.match(/^configuration error: STATS_CLOCK_URL/);
        expect(run.stdout + run.stderr, 'no stack trace').not.to.match(/\n\s+at /);
      }
      sim.faults.clear();
    }
    const settings = await new SettingsRepository(couch.server, names.settings).get();
    expect(settings.last_run, 'no run was recorded').to.equal(undefined);
  });
});
