import { expect } from 'chai';
import { pino } from 'pino';
import { SettingsRepository } from '../../couch/settings.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { runUpdate, updateWorkflow, type UpdateDependencies } from '../../updater/run.js';
import { FakeUpstream, RecordingNotifier } from '../support/fake-upstream.js';
import { setUpTestDatabases } from '../support/couch.js';
import {
  AODSIM,
  GEN_SIM,
  mcmTaskChainDocument,
  RERECO_NAME,
  reRecoDocument,
  resubmissionDocument,
  ACDC0_NAME,
  TASKCHAIN_NAME,
} from './fixtures.js';

const silent = pino({ level: 'silent' });
const RERECO_AOD = '/JetMET0/Run2024F-ECALRatio-v1/AOD';

function renamed(
  doc: Record<string, unknown>,
  name: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...doc, _id: name, RequestName: name, ...fields };
}

describe('the update run (rules, with an in-process upstream and the real CouchDB)', function () {
  this.timeout(60_000);
  let upstream: FakeUpstream;
  let notifier: RecordingNotifier;
  let deps: UpdateDependencies;
  let workflows: WorkflowRepository;
  let settings: SettingsRepository;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    const { couch, names } = await setUpTestDatabases('run');
    workflows = new WorkflowRepository(couch.server, names.requests);
    settings = new SettingsRepository(couch.server, names.settings);
    upstream = new FakeUpstream();
    notifier = new RecordingNotifier();
    deps = { workflows, settings, upstream, notifier, logger: silent };
    clock = 1_800_000_000;
    upstream.put(reRecoDocument());
    upstream.put(mcmTaskChainDocument());
    upstream.put(resubmissionDocument());
    upstream.setDataset(RERECO_AOD, {
      access: 'PRODUCTION',
      events: 1000,
      size: 5000,
      lumis: 10,
      modified: clock - 100,
    });
    upstream.setDataset(GEN_SIM, { access: 'VALID', events: 250000, size: 9e9, lumis: 100 });
    upstream.setDataset(AODSIM, { access: 'PRODUCTION', events: 12000, size: 7e8, lumis: 30 });
    upstream.log.push({ id: '_design/ReqMgr', deleted: false });
  });

  it('writes every changed workflow with its first history entry, and stores the feed position', async () => {
    const summary = await runUpdate(deps, { now, pageSize: 2, triggers: ['prod'] });
    expect(summary.failed).to.deep.equal([]);
    expect(summary.changed).to.equal(3);
    expect(await workflows.count()).to.equal(3);
    const rereco = await workflows.get(RERECO_NAME);
    expect(rereco?.LastUpdate).to.equal(clock);
    expect(rereco?.EventNumberHistory).to.have.length(1);
    expect(rereco?.EventNumberHistory?.[0]?.Datasets[RERECO_AOD]).to.deep.equal({
      Type: 'PRODUCTION',
      Events: 1000,
      Size: 5000,
      Lumis: 10,
    });
    // Unknown to DBS: recorded as NONE, and Lumis only because this ReReco is in lumis mode.
    expect(
      rereco?.EventNumberHistory?.[0]?.Datasets['/JetMET0/Run2024F-ECALRatio-v1/MINIAOD'],
    ).to.deep.equal({ Type: 'NONE', Events: 0, Size: 0, Lumis: 0 });
    const taskchain = await workflows.get(TASKCHAIN_NAME);
    expect(taskchain?.EventNumberHistory?.[0]?.Datasets[AODSIM]).to.deep.equal({
      Type: 'PRODUCTION',
      Events: 12000,
      Size: 7e8,
    });
    const stored = await settings.get();
    expect(stored.last_reqmgr_sequence).to.match(/^4-g1AAAA/);
    expect(stored.last_dbs_update_date).to.equal(clock);
    expect(stored.failed_workflows).to.deep.equal([]);
    expect(notifier.sent.map((s) => s.name).sort()).to.deep.equal(
      [ACDC0_NAME, TASKCHAIN_NAME, RERECO_NAME].sort(),
    );
    expect(stored.pending_callbacks).to.deep.equal([]);
  });

  it('writes and notifies nothing when nothing changed, and adds no history entry', async () => {
    await runUpdate(deps, { now });
    const before = await workflows.getMany([RERECO_NAME, TASKCHAIN_NAME, ACDC0_NAME]);
    clock += 3600;
    upstream.active = [RERECO_NAME, TASKCHAIN_NAME];
    const summary = await runUpdate(deps, { now, triggers: ['prod'] });
    expect(summary).to.include({ changed: 0, historyEntriesAdded: 0, callbacksSent: 0 });
    const after = await workflows.getMany([RERECO_NAME, TASKCHAIN_NAME, ACDC0_NAME]);
    for (const [name, doc] of before) expect(after.get(name)?._rev, name).to.equal(doc._rev);
    expect(notifier.sent).to.deep.equal([]);
  });

  it('recalculates active workflows and those whose datasets DBS changed, once each, and notifies once', async () => {
    await runUpdate(deps, { now });
    clock += 3600;
    upstream.active = [RERECO_NAME];
    upstream.setDataset(RERECO_AOD, { events: 2000 });
    upstream.setDataset(AODSIM, { events: 13000, modified: clock - 10 });
    const summary = await runUpdate(deps, { now, triggers: ['prod', 'dev'] });
    expect(summary.historyEntriesAdded).to.equal(2);
    expect(
      (await workflows.get(RERECO_NAME))?.EventNumberHistory?.map(
        (e) => e.Datasets[RERECO_AOD]?.Events,
      ),
    ).to.deep.equal([1000, 2000]);
    expect((await workflows.get(TASKCHAIN_NAME))?.EventNumberHistory).to.have.length(2);
    expect((await workflows.get(ACDC0_NAME))?.EventNumberHistory).to.have.length(1);
    expect(notifier.sent.map((s) => `${s.name}:${s.target}`).sort()).to.deep.equal(
      [
        `${RERECO_NAME}:prod`,
        `${RERECO_NAME}:dev`,
        `${TASKCHAIN_NAME}:prod`,
        `${TASKCHAIN_NAME}:dev`,
      ].sort(),
    );
  });

  it('recalculates the stored workflows sharing an output dataset with a changed one', async () => {
    await runUpdate(deps, { now });
    clock += 3600;
    upstream.setDataset(GEN_SIM, { events: 260000 });
    // Only the ACDC changes; the TaskChain shares its GEN-SIM output.
    upstream.put(renamed(resubmissionDocument(), ACDC0_NAME, { RequestPriority: 1 }));
    await runUpdate(deps, { now });
    const taskchain = await workflows.get(TASKCHAIN_NAME);
    expect(taskchain?.EventNumberHistory?.at(-1)?.Datasets[GEN_SIM]?.Events).to.equal(260000);
  });

  it('deletes workflows ReqMgr2 deleted, ignores design documents', async () => {
    await runUpdate(deps, { now });
    upstream.remove(TASKCHAIN_NAME);
    const summary = await runUpdate(deps, { now });
    expect(summary.deleted).to.equal(1);
    expect(await workflows.get(TASKCHAIN_NAME)).to.equal(undefined);
    expect(await workflows.get('_design/ReqMgr')).to.equal(undefined);
  });

  it('puts a workflow whose upstream call fails on the failed list, writes nothing for it, and retries it next run', async () => {
    upstream.failing.add(`request:${TASKCHAIN_NAME}`);
    const first = await runUpdate(deps, { now });
    expect(first.failed).to.deep.equal([TASKCHAIN_NAME]);
    expect(await workflows.get(TASKCHAIN_NAME)).to.equal(undefined);
    expect((await settings.get()).failed_workflows).to.deep.equal([TASKCHAIN_NAME]);
    expect(await workflows.count()).to.equal(2);

    upstream.failing.clear();
    const second = await runUpdate(deps, { now });
    expect(second.failed).to.deep.equal([]);
    expect((await workflows.get(TASKCHAIN_NAME))?.EventNumberHistory).to.have.length(1);
    expect((await settings.get()).failed_workflows).to.deep.equal([]);
  });

  it('writes nothing for a workflow whose document fetch failed: no history from its stored copy (docs/update-run.md#the-failed-list)', async () => {
    await runUpdate(deps, { now });
    clock += 3600;
    upstream.put(renamed(reRecoDocument(), RERECO_NAME, { RequestPriority: 5 }));
    upstream.failing.add(`request:${RERECO_NAME}`);
    upstream.active = [RERECO_NAME];
    upstream.setDataset(RERECO_AOD, { events: 3000 });
    const before = await workflows.get(RERECO_NAME);
    const summary = await runUpdate(deps, { now, triggers: ['prod'] });
    expect(summary.failed).to.deep.equal([RERECO_NAME]);
    expect(summary.historyEntriesAdded).to.equal(0);
    expect((await workflows.get(RERECO_NAME))?._rev).to.equal(before?._rev);
    expect((await settings.get()).failed_workflows).to.deep.equal([RERECO_NAME]);
    expect(notifier.sent).to.deep.equal([]);

    upstream.failing.clear();
    clock += 60;
    const retried = await runUpdate(deps, { now, triggers: ['prod'] });
    expect(retried.failed).to.deep.equal([]);
    const stored = await workflows.get(RERECO_NAME);
    expect(stored?.RequestPriority).to.equal(5);
    expect(stored?.EventNumberHistory?.map((e) => e.Datasets[RERECO_AOD]?.Events)).to.deep.equal([
      1000, 3000,
    ]);
    expect(notifier.sent).to.deep.equal([{ name: RERECO_NAME, target: 'prod' }]);
  });

  it('asks DBS for the datasets modified since 0 only when a workflow is stored already', async () => {
    await runUpdate(deps, { now });
    expect(upstream.calls).not.to.include('datasetsModifiedSince');
    await settings.update((s) => ({ ...s, last_dbs_update_date: 0 }));
    clock += 60;
    await runUpdate(deps, { now });
    expect(upstream.calls).to.include('datasetsModifiedSince');
  });

  it('never turns a DBS failure into numbers, and marks the run incomplete when DBS cannot list modified datasets', async () => {
    await updateWorkflow(RERECO_NAME, deps, { now });
    upstream.failing.add(`fileSummaries:${AODSIM}`);
    upstream.failing.add('datasetsModifiedSince');
    upstream.failing.add('activeWorkflows');
    const summary = await runUpdate(deps, { now });
    expect(summary.complete).to.equal(false);
    expect(summary.failed).to.deep.equal([TASKCHAIN_NAME]);
    expect((await workflows.get(TASKCHAIN_NAME))?.EventNumberHistory).to.deep.equal([]);
    expect((await settings.get()).last_dbs_update_date).to.equal(0);
  });

  it('reads the feed from 0 when ReqMgr2 refuses an integer sequence from an old database', async () => {
    await settings.update((s) => ({ ...s, last_reqmgr_sequence: 123456 }));
    const summary = await runUpdate(deps, { now });
    expect(summary.changed).to.equal(3);
    expect(upstream.calls.filter((c) => c.startsWith('changes:'))[0]).to.equal('changes:123456');
    expect((await settings.get()).last_reqmgr_sequence).to.be.a('string');
  });

  it('a run that dies after writing still gets its notifications sent by the next run', async () => {
    const changes = upstream.changes.bind(upstream);
    let pages = 0;
    upstream.changes = async (since, limit) => {
      if (++pages === 2) throw new Error('killed');
      return changes(since, limit);
    };
    const died = await runUpdate(deps, { now, pageSize: 1, triggers: ['prod'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((died as Error).message).to.equal('killed');
    expect(notifier.sent).to.deep.equal([]);
    expect((await settings.get()).pending_callbacks).to.deep.equal([RERECO_NAME]);

    upstream.changes = changes;
    await runUpdate(deps, { now, triggers: ['prod'] });
    expect(notifier.sent.filter((s) => s.name === RERECO_NAME)).to.have.length(1);
    expect((await settings.get()).pending_callbacks).to.deep.equal([]);
  });

  it('updates one workflow by name, creating it, without moving the feed position', async () => {
    const summary = await updateWorkflow(RERECO_NAME, deps, { now, triggers: ['dev'] });
    expect(summary.changed).to.equal(1);
    expect((await workflows.get(RERECO_NAME))?.EventNumberHistory).to.have.length(1);
    expect((await settings.get()).last_reqmgr_sequence).to.equal(0);
    expect(notifier.sent).to.deep.equal([{ name: RERECO_NAME, target: 'dev' }]);
  });

  it('says why a one-workflow update failed, and puts it on the failed list', async () => {
    upstream.failing.add(`request:${RERECO_NAME}`);
    const err = await updateWorkflow(RERECO_NAME, deps, { now }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.match(/updating .* failed: injected failure of request:/);
    expect((await settings.get()).failed_workflows).to.deep.equal([RERECO_NAME]);
    upstream.failing.clear();
    await updateWorkflow(RERECO_NAME, deps, { now });
    expect((await settings.get()).failed_workflows).to.deep.equal([]);
  });

  it('gives the same database whatever order the feed lists the workflows in', async () => {
    await runUpdate(deps, { now, pageSize: 1 });
    const forward = await workflows.getMany([RERECO_NAME, TASKCHAIN_NAME, ACDC0_NAME]);

    const { couch, names } = await setUpTestDatabases('runorder');
    const reversed = new FakeUpstream();
    for (const doc of [resubmissionDocument(), mcmTaskChainDocument(), reRecoDocument()])
      reversed.put(doc);
    for (const [name, dataset] of upstream.datasets) reversed.setDataset(name, dataset);
    const other = new WorkflowRepository(couch.server, names.requests);
    await runUpdate(
      {
        ...deps,
        upstream: reversed,
        workflows: other,
        settings: new SettingsRepository(couch.server, names.settings),
      },
      { now, pageSize: 3 },
    );
    const backward = await other.getMany([RERECO_NAME, TASKCHAIN_NAME, ACDC0_NAME]);
    for (const [name, doc] of forward) {
      const { _rev: _a, ...a } = doc;
      const { _rev: _b, ...b } = backward.get(name) ?? { _rev: '' };
      expect(b, name).to.deep.equal(a);
    }
  });
});
