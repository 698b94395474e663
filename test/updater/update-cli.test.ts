/**
 * The update run end to end: `node cli.js --action update` as a child process, over real
 * mutual TLS against the simulator, writing to the test CouchDB. Includes the crash test:
 * runs killed with SIGKILL at several moments, then run again, must end with exactly the
 * database one clean run gives.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import type { Simulator } from '../../sim/index.js';
import type { DatabaseNames } from '../../couch/setup.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { SettingsRepository } from '../../couch/settings.js';
import { CLI, cliEnv, messages, messageText, runCli } from '../ops/support/cli.js';
import { setUpTestDatabases, type TestCouch } from '../support/couch.js';
import { startTestSimulator } from '../sim/support.js';

/** What a clean run and a crashed-and-rerun run must agree on: everything but write times. */
async function comparableDatabase(
  couch: TestCouch,
  names: DatabaseNames,
): Promise<Record<string, unknown>> {
  const workflows = new WorkflowRepository(couch.server, names.requests);
  const docs: Record<string, unknown> = {};
  for await (const page of workflows.scan(500)) {
    for (const doc of page) docs[doc._id] = withoutWriteTimes(doc);
  }
  const settings = await new SettingsRepository(couch.server, names.settings).get();
  return {
    docs,
    sequence: settings.last_reqmgr_sequence,
    failed: settings.failed_workflows,
    pending: settings.pending_callbacks,
  };
}

function withoutWriteTimes(doc: StoredWorkflow): unknown {
  const { _rev: _r, LastUpdate: _l, EventNumberHistory, ...rest } = doc;
  return { ...rest, EventNumberHistory: (EventNumberHistory ?? []).map((entry) => entry.Datasets) };
}

/** Starts an update and SIGKILLs it after `afterMs`; says whether it was still running then. */
function killedUpdate(env: NodeJS.ProcessEnv, afterMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--action', 'update'], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

describe('node cli.js --action update, against the simulator', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let couch: TestCouch;

  before(async () => {
    sim = await startTestSimulator({ seed: 7, workflows: 160, active: 40, latencyMs: 4 });
    couch = (await setUpTestDatabases('cliupdate')).couch;
  });

  after(async () => {
    await sim.close();
  });

  const envFor = (names: DatabaseNames, extra: Record<string, string> = {}) =>
    cliEnv(couch, names, {
      ...sim.env,
      UPDATE_PAGE_SIZE: '25',
      UPDATE_BATCH_SIZE: '20',
      UPDATE_LOCK_TTL_S: '2',
      ...extra,
    });

  it('a run killed at any moment and run again gives exactly the database of a clean run', async () => {
    const clean = (await setUpTestDatabases('clean')).names;
    const crashed = (await setUpTestDatabases('crashed')).names;

    const reference = await runCli(['--action', 'update'], envFor(clean), 60_000);
    expect(reference.code, reference.stderr).to.equal(0);

    let interrupted = 0;
    for (const afterMs of [500, 900, 1300, 1700, 2100]) {
      if (await killedUpdate(envFor(crashed), afterMs)) interrupted++;
      await new Promise((resolve) => setTimeout(resolve, 2100)); // the killed run's lock expires
    }
    expect(interrupted, 'runs killed before they finished').to.be.greaterThan(0);
    const finish = await runCli(['--action', 'update'], envFor(crashed), 60_000);
    expect(finish.code, finish.stderr).to.equal(0);

    const expected = await comparableDatabase(couch, clean);
    expect(Object.keys(expected.docs as object)).to.have.length(sim.world.workflowCount());
    expect(await comparableDatabase(couch, crashed)).to.deep.equal(expected);

    // And both go on alike: after simulated time passes, one more run each.
    sim.world.advance(6 * 3600);
    expect((await runCli(['--action', 'update'], envFor(clean), 60_000)).code).to.equal(0);
    if (await killedUpdate(envFor(crashed), 700))
      await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await runCli(['--action', 'update'], envFor(crashed), 60_000)).code).to.equal(0);
    expect(await comparableDatabase(couch, crashed)).to.deep.equal(
      await comparableDatabase(couch, clean),
    );
  });

  it('lets one of two simultaneous runs work and tells the other why it stops (exit 3)', async () => {
    const { names } = await setUpTestDatabases('twice');
    const env = envFor(names, { UPDATE_LOCK_TTL_S: '600' });
    const [a, b] = await Promise.all([
      runCli(['--action', 'update'], env, 60_000),
      runCli(['--action', 'update'], env, 60_000),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes).to.deep.equal([0, 3]);
    const refused = a.code === 3 ? a : b;
    expect(messageText(refused.stdout)).to.match(/another update run holds the lock/);
  });

  it('notifies the PdmV services once per changed workflow with --trigger-prod', async () => {
    const { names } = await setUpTestDatabases('trigger');
    const before = sim.callbacks.length;
    const run = await runCli(['--action', 'update', '--trigger-prod'], envFor(names), 60_000);
    expect(run.code, run.stderr).to.equal(0);
    const calls = sim.callbacks.slice(before);
    expect(calls.length).to.be.greaterThan(0);
    expect(
      calls.every((call) => call.env === 'prod' && call.audience === sim.env.APPLICATION_CLIENT_ID),
    ).to.equal(true);
    // McM is called by workflow name: each at most once. ReReco/RelVal calls carry the PrepID,
    // which an ACDC shares with its parent, so those are only counted.
    const mcm = calls.filter((call) => call.service === 'mcm').map((call) => call.path);
    expect(new Set(mcm).size, 'one McM call per workflow').to.equal(mcm.length);
    const stored = await new WorkflowRepository(couch.server, names.requests).count();
    expect(calls.length).to.be.at.most(stored);

    const again = await runCli(['--action', 'update', '--trigger-prod'], envFor(names), 60_000);
    expect(again.code).to.equal(0);
    expect(sim.callbacks.length, 'nothing changed, nothing notified').to.equal(
      before + calls.length,
    );
  });

  it('exits 1 when notifications failed, keeps them owed, and sends them with the next run', async () => {
    const { names } = await setUpTestDatabases('owed');
    sim.faults.set('token', { status5xx: 1 });
    const refused = await runCli(['--action', 'update', '--trigger-prod'], envFor(names), 60_000);
    sim.faults.clear();
    expect(refused.code, refused.stderr).to.equal(1);
    const settings = new SettingsRepository(couch.server, names.settings);
    const owed = Object.keys((await settings.get()).failed_callbacks as object);
    expect(owed.length).to.be.greaterThan(0);
    expect((await settings.get()).failed_workflows).to.deep.equal([]);

    const before = sim.callbacks.length;
    const sent = await runCli(['--action', 'update', '--trigger-prod'], envFor(names), 60_000);
    expect(sent.code, sent.stderr).to.equal(0);
    expect((await settings.get()).failed_callbacks).to.deep.equal({});
    const mcm = sim.callbacks.slice(before).filter((call) => call.service === 'mcm');
    expect(mcm.length).to.be.greaterThan(0);
    expect(mcm.every((call) => call.status === 200)).to.equal(true);
  });

  it('updates one workflow by name and prints it with see', async () => {
    const { names } = await setUpTestDatabases('byname');
    const name = sim.world.activeRequests()[0]?.name as string;
    const update = await runCli(['--action', 'update', '--name', name], envFor(names));
    expect(update.code, update.stderr).to.equal(0);
    const see = await runCli(['--action', 'see', '--name', name], envFor(names));
    expect(see.code).to.equal(0);
    const doc = JSON.parse(see.stdout) as StoredWorkflow;
    expect(doc.RequestName).to.equal(name);
    expect(doc.EventNumberHistory).to.have.length(1);
    expect(see.stdout).to.include('\n  "RequestName"');

    const designDocument = await runCli(
      ['--action', 'see', '--name', '_design/_designDoc'],
      envFor(names),
    );
    expect(designDocument.code).to.equal(1);
    expect(designDocument.stdout).not.to.include('"views"');
    expect(messageText(designDocument.stdout)).to.include('no workflow named "_design/_designDoc"');
  });

  it('says which variable is missing, and exits 2, before touching anything', async () => {
    const { names } = await setUpTestDatabases('nocert');
    const noCert = await runCli(
      ['--action', 'update'],
      cliEnv(couch, names, { ...sim.env, USERCRT: '', USERKEY: '' }),
    );
    expect(noCert.code).to.equal(2);
    expect(messageText(noCert.stdout)).to.match(/USERCRT and USERKEY/);
    const noSecret = await runCli(
      ['--action', 'update', '--trigger-dev'],
      envFor(names, { CALLBACK_CLIENT_SECRET: '' }),
    );
    expect(noSecret.code).to.equal(2);
    expect(messageText(noSecret.stdout)).to.match(/CALLBACK_CLIENT_SECRET/);
    expect(noSecret.stdout + noSecret.stderr).to.not.include(
      sim.env.CALLBACK_CLIENT_SECRET as string,
    );
    const badFlag = await runCli(['--action', 'update', '--out', '/tmp'], envFor(names));
    expect(badFlag.code).to.equal(2);
    expect(await new WorkflowRepository(couch.server, names.requests).count()).to.equal(0);
  });

  it('a failing upstream puts workflows on the failed list and exits 1; the next run repairs them', async () => {
    const { names } = await setUpTestDatabases('faulty');
    sim.faults.set('request', { status5xx: 0.3 });
    const faulty = await runCli(
      ['--action', 'update'],
      envFor(names, { UPSTREAM_RETRIES: '0' }),
      60_000,
    );
    sim.faults.clear();
    expect(faulty.code, faulty.stderr).to.equal(1);
    const settings = new SettingsRepository(couch.server, names.settings);
    const failed = (await settings.get()).failed_workflows;
    expect(failed.length).to.be.greaterThan(0);
    const stored = await new WorkflowRepository(couch.server, names.requests).getMany(failed);
    expect(stored.size, 'nothing written for a failed workflow').to.equal(0);

    const repaired = await runCli(['--action', 'update'], envFor(names), 60_000);
    expect(repaired.code, repaired.stderr).to.equal(0);
    expect((await settings.get()).failed_workflows).to.deep.equal([]);
    expect(
      (await new WorkflowRepository(couch.server, names.requests).getMany(failed)).size,
    ).to.equal(failed.length);
  });

  it('update --name: a name nobody knows exits 1; a stored one ReqMgr2 deleted is deleted, and said so', async () => {
    const { names } = await setUpTestDatabases('gonename');
    const workflows = new WorkflowRepository(couch.server, names.requests);
    const unknown = 'nobody_Nothing_250101_000000_1';
    const result = await runCli(['update', '--name', unknown], envFor(names));
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(messages(result.stdout)).to.deep.equal([
      `no workflow ${unknown} in ReqMgr2 or in Stats2`,
    ]);
    expect(await workflows.count()).to.equal(0);

    // This test comes last: the simulated world loses a workflow.
    const name = [...sim.world.list()].find((w) => !w.deleted && !w.active)?.name as string;
    expect((await runCli(['update', '--name', name], envFor(names))).code).to.equal(0);
    expect(await workflows.get(name)).not.to.equal(undefined);
    sim.world.deleteRequest(name);
    const deleted = await runCli(['update', '--name', name], envFor(names));
    expect(deleted.code, deleted.stdout + deleted.stderr).to.equal(0);
    expect(messages(deleted.stdout)).to.deep.equal([
      `${name}: ReqMgr2 no longer has this workflow; deleted from Stats2`,
    ]);
    expect(await workflows.get(name)).to.equal(undefined);
  });
});
