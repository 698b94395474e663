import { expect } from 'chai';
import type { DatabaseNames } from '../../couch/setup.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import type { Simulator } from '../../sim/index.js';
import { setUpTestDatabases, type TestCouch } from '../support/couch.js';
import { startTestSimulator } from '../sim/support.js';
import { cliEnv, messages, messageText, runCli, type CliResult } from './support/cli.js';

const lines = messages;
const summaryLine = (result: CliResult) => lines(result.stdout).at(-1);

describe('--action verify (against the simulator, after a real update run)', function () {
  this.timeout(60_000);
  let couch: TestCouch;
  let names: DatabaseNames;
  let sim: Simulator;
  let env: NodeJS.ProcessEnv;
  let workflows: WorkflowRepository;
  let firstUpdate: CliResult;

  const verify = (...args: string[]) => runCli(['--action', 'verify', ...args], env, 30_000);
  const update = (logLevel = 'warn') =>
    runCli(['--action', 'update'], { ...env, LOG_LEVEL: logLevel }, 30_000);
  /** Changes a stored workflow behind the updater's back; returns the fields as they were. */
  const tamper = async (name: string, changes: Partial<StoredWorkflow>) => {
    const before = (await workflows.get(name)) as Record<string, unknown>;
    const [outcome] = await workflows.upsertMany([name], (_id, current) => ({
      ...(current as StoredWorkflow),
      ...changes,
    }));
    expect(outcome?.ok, `tampering with ${name}`).to.equal(true);
    return Object.fromEntries(
      Object.keys(changes).map((field) => [field, before[field]]),
    ) as Partial<StoredWorkflow>;
  };
  const storedNames = async () => {
    const all: string[] = [];
    for await (const page of workflows.scan()) all.push(...page.map((doc) => doc._id));
    return all;
  };

  before(async () => {
    ({ couch, names } = await setUpTestDatabases('verify'));
    sim = await startTestSimulator({ workflows: 60, active: 20 });
    env = cliEnv(couch, names, { ...sim.env, UPSTREAM_RETRIES: '0' });
    workflows = new WorkflowRepository(couch.server, names.requests);
    firstUpdate = await update('info');
    expect(firstUpdate.code, firstUpdate.stdout + firstUpdate.stderr).to.equal(0);
  });
  after(() => sim.close());

  it("the update run's JSON log lines all carry the same run id", () => {
    const logged = firstUpdate.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId?: unknown; msg?: string });
    expect(logged.map((entry) => entry.msg)).to.include('update finished');
    const runIds = new Set(logged.map((entry) => entry.runId));
    expect([...runIds]).to.have.length(1);
    expect([...runIds][0]).to.match(/^[0-9a-f]{8}$/);
  });

  it('passes right after an update run: every stored workflow matches', async () => {
    const count = await workflows.count();
    expect(count).to.be.greaterThan(40);
    const result = await verify();
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(lines(result.stdout)).to.deep.equal([
      `${count} workflows verified: ${count} match, 0 mismatches, 0 could not be verified`,
    ]);
  });

  it('--name verifies one workflow, --limit the first N', async () => {
    const [first] = await storedNames();
    const one = await verify('--name', first as string);
    expect(one.code, one.stdout + one.stderr).to.equal(0);
    expect(summaryLine(one)).to.equal(
      '1 workflow verified: 1 match, 0 mismatches, 0 could not be verified',
    );
    const some = await verify('--limit', '10');
    expect(some.code, some.stdout + some.stderr).to.equal(0);
    expect(lines(some.stdout)).to.deep.equal([
      'with --limit, active workflows not stored here were not looked for',
      '10 workflows verified: 10 match, 0 mismatches, 0 could not be verified',
    ]);
  });

  it('fails on a tampered document, naming the field and both values, and passes once restored', async () => {
    const name = (await storedNames())[5] as string;
    const original = await tamper(name, { RequestPriority: 424242 });

    const result = await verify();
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(lines(result.stdout)).to.include(
      `mismatch ${name}: RequestPriority: stored 424242, upstream ${String(original.RequestPriority)}`,
    );
    expect(summaryLine(result)).to.match(/ 1 mismatch, 0 could not be verified$/);

    await tamper(name, original);
    expect((await verify('--name', name)).code).to.equal(0);
  });

  it('fails when a workflow WMStats lists as active has no history', async () => {
    const stored = new Set(await storedNames());
    const active = sim.world
      .activeRequests()
      .map((request) => request.name)
      .find((candidate) => stored.has(candidate));
    expect(active, 'an active workflow that is stored').to.be.a('string');
    const original = await tamper(active as string, { EventNumberHistory: [] });

    const result = await verify('--name', active as string);
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(lines(result.stdout)[0]).to.equal(
      `mismatch ${active as string}: active in WMStats, but has no history`,
    );
    await tamper(active as string, original);
  });

  it('says what could not be verified when the upstream fails (exit 1)', async () => {
    const [name] = await storedNames();
    sim.faults.set('request', { unauthorized: 1, times: 1 });
    const result = await verify('--name', name as string);
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(lines(result.stdout)[0]).to.match(new RegExp(`^could not verify ${name as string}: .+`));
    expect(summaryLine(result)).to.equal(
      '1 workflow verified: 0 match, 0 mismatches, 1 could not be verified',
    );

    sim.faults.set('wmstats', { status5xx: 1, times: 1 });
    const withoutWmstats = await verify('--name', name as string);
    expect(withoutWmstats.code).to.equal(1);
    expect(lines(withoutWmstats.stdout)[0]).to.match(
      /^could not verify the history of active workflows: WMStats failed: .+/,
    );
  });

  it('fails while a workflow deleted in ReqMgr2 is still stored, and passes after the next update', async () => {
    const stored = new Set(await storedNames());
    const active = new Set(sim.world.activeRequests().map((request) => request.name));
    const name = [...stored].find((candidate) => !active.has(candidate)) as string;
    expect(sim.world.deleteRequest(name)).to.equal(true);

    const result = await verify();
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(lines(result.stdout)).to.include(
      `mismatch ${name}: deleted in ReqMgr2, still stored here`,
    );

    const next = await update();
    expect(next.code, next.stdout + next.stderr).to.equal(0);
    const after = await verify();
    expect(after.code, after.stdout + after.stderr).to.equal(0);
    expect(await workflows.get(name)).to.equal(undefined);
  });

  it('usage and configuration errors exit 2 before anything is read', async () => {
    const zero = await verify('--limit', '0');
    expect(zero.code).to.equal(2);
    expect(zero.stderr).to.include('--limit needs a whole number of workflows');
    const both = await verify('--name', 'x', '--limit', '3');
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include('--limit does not go with --name');

    const noCertificate = { ...env };
    for (const variable of [
      'USERCRT',
      'USERKEY',
      'X509_USER_CERT',
      'X509_USER_KEY',
      'X509_USER_PROXY',
    ])
      delete noCertificate[variable];
    const result = await runCli(['--action', 'verify'], noCertificate);
    expect(result.code).to.equal(2);
    expect(messageText(result.stdout)).to.include('verify talks to cmsweb with a grid certificate');
  });
});
