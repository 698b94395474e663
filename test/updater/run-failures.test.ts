/**
 * One bad answer costs one workflow (issue 11), with an in-process upstream and the real
 * CouchDB: a batched DBS call, a CouchDB read or write refused for one workflow, and
 * notifications that fail and stay owed.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import type { ServerScope } from 'nano';
import { CouchError } from '../../couch/errors.js';
import { SettingsRepository } from '../../couch/settings.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { runSucceeded, runUpdate, type UpdateDependencies } from '../../updater/run.js';
import type { CallbackTarget } from '../../updater/upstream-port.js';
import { FakeUpstream, RecordingNotifier } from '../support/fake-upstream.js';
import { setUpTestDatabases } from '../support/couch.js';
import {
  ACDC0_NAME,
  AODSIM,
  GEN_SIM,
  mcmTaskChainDocument,
  RERECO_NAME,
  reRecoDocument,
  resubmissionDocument,
  TASKCHAIN_NAME,
} from './fixtures.js';

const silent = pino({ level: 'silent' });
const RERECO_AOD = '/JetMET0/Run2024F-ECALRatio-v1/AOD';
const ALL = [ACDC0_NAME, RERECO_NAME, TASKCHAIN_NAME].sort();

/** A notifier whose calls to some targets fail, as an SSO or PdmV outage does. */
class FlakyNotifier extends RecordingNotifier {
  readonly failing = new Set<CallbackTarget>();
  attempts = 0;

  override async notify(
    workflow: { _id: string; PrepID?: string | null },
    target: CallbackTarget,
  ): Promise<{ sent: boolean }> {
    this.attempts++;
    if (this.failing.has(target)) throw new Error(`${target} service unavailable`);
    return super.notify(workflow, target);
  }
}

/** CouchDB refusing any request (as a whole) that names `refused`: `_all_docs` keys or `_bulk_docs`. */
class RefusingRepository extends WorkflowRepository {
  refused: string | undefined;

  constructor(
    server: ServerScope,
    db: string,
    private readonly what: 'read' | 'write',
  ) {
    super(server, db);
  }

  override async getMany(ids: readonly string[]): Promise<Map<string, StoredWorkflow>> {
    if (this.what === 'read' && this.refused !== undefined && ids.includes(this.refused))
      throw new CouchError(`reading ${ids.length} documents`, 500, 'unknown_error', 'refused');
    return super.getMany(ids);
  }

  override async writeMany(docs: readonly StoredWorkflow[]) {
    if (this.what === 'write' && docs.some((doc) => doc._id === this.refused))
      throw new CouchError(`writing ${docs.length} documents`, 413, 'too_large', 'refused');
    return super.writeMany(docs);
  }
}

describe('the update run: one bad answer costs one workflow', function () {
  this.timeout(60_000);
  let upstream: FakeUpstream;
  let notifier: FlakyNotifier;
  let deps: UpdateDependencies;
  let workflows: WorkflowRepository;
  let settings: SettingsRepository;
  let server: ServerScope;
  let requestsDb: string;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    const { couch, names } = await setUpTestDatabases('runfail');
    server = couch.server;
    requestsDb = names.requests;
    workflows = new WorkflowRepository(couch.server, names.requests);
    settings = new SettingsRepository(couch.server, names.settings);
    upstream = new FakeUpstream();
    notifier = new FlakyNotifier();
    deps = { workflows, settings, upstream, notifier, logger: silent };
    clock = 1_800_000_000;
    upstream.put(reRecoDocument());
    upstream.put(mcmTaskChainDocument());
    upstream.put(resubmissionDocument());
    upstream.setDataset(RERECO_AOD, { access: 'PRODUCTION', events: 1000, size: 5000, lumis: 10 });
    upstream.setDataset(GEN_SIM, { access: 'VALID', events: 250000, size: 9e9, lumis: 100 });
    upstream.setDataset(AODSIM, { access: 'PRODUCTION', events: 12000, size: 7e8, lumis: 30 });
  });

  const histories = async () =>
    Object.fromEntries(
      [...(await workflows.getMany(ALL))].map(([name, doc]) => [
        name,
        (doc.EventNumberHistory ?? []).length,
      ]),
    );

  it('a datasetlist that DBS refuses for one dataset fails only the workflow with that dataset', async () => {
    upstream.failing.add(`datasetList:${RERECO_AOD}`);
    const summary = await runUpdate(deps, { now });
    expect(summary.failed).to.deep.equal([RERECO_NAME]);
    expect(summary.changed).to.equal(3); // its document does not depend on DBS
    expect(await histories()).to.deep.equal({
      [ACDC0_NAME]: 1,
      [RERECO_NAME]: 0,
      [TASKCHAIN_NAME]: 1,
    });
    // One call of the batch's five datasets, then halves down to the bad one.
    const calls = upstream.calls.filter((c) => /^datasetList:\d/.test(c));
    expect(calls[0]).to.equal('datasetList:5');
    expect(calls.length - 1).to.be.at.most(2 * Math.ceil(Math.log2(5)));

    upstream.failing.clear();
    clock += 60;
    const next = await runUpdate(deps, { now });
    expect(next.failed).to.deep.equal([]);
    expect(await histories()).to.deep.equal({
      [ACDC0_NAME]: 1,
      [RERECO_NAME]: 1,
      [TASKCHAIN_NAME]: 1,
    });
  });

  it('a document CouchDB refuses to store (validate_doc_update) fails only that workflow', async () => {
    const validator = {
      _id: '_design/refuse_one',
      validate_doc_update: `function (newDoc) { if (newDoc._id === ${JSON.stringify(TASKCHAIN_NAME)}) { throw({ forbidden: 'refused by the test' }); } }`,
    };
    const inserted = await server.use(requestsDb).insert(validator as never);
    const summary = await runUpdate(deps, { now });
    expect(summary.failed).to.deep.equal([TASKCHAIN_NAME]);
    expect(await workflows.get(TASKCHAIN_NAME)).to.equal(undefined);
    expect(await histories()).to.deep.equal({ [ACDC0_NAME]: 1, [RERECO_NAME]: 1 });

    await server.use(requestsDb).destroy(validator._id, inserted.rev);
    const next = await runUpdate(deps, { now });
    expect(next.failed).to.deep.equal([]);
    expect(await histories()).to.deep.equal({
      [ACDC0_NAME]: 1,
      [RERECO_NAME]: 1,
      [TASKCHAIN_NAME]: 1,
    });
  });

  for (const what of ['read', 'write'] as const) {
    it(`a whole ${what === 'read' ? '_all_docs' : '_bulk_docs'} request CouchDB refuses is split down to the workflow it fails for`, async () => {
      const refusing = new RefusingRepository(server, requestsDb, what);
      refusing.refused = RERECO_NAME;
      const summary = await runUpdate({ ...deps, workflows: refusing }, { now });
      expect(summary.failed).to.deep.equal([RERECO_NAME]);
      expect(await workflows.get(RERECO_NAME)).to.equal(undefined);
      expect(await histories()).to.deep.equal({ [ACDC0_NAME]: 1, [TASKCHAIN_NAME]: 1 });

      refusing.refused = undefined;
      const next = await runUpdate({ ...deps, workflows: refusing }, { now });
      expect(next.failed).to.deep.equal([]);
      expect(Object.keys(await histories())).to.deep.equal(ALL);
    });
  }

  it('keeps a failed notification owed, sends it again next run, and exits 1 meanwhile', async () => {
    notifier.failing.add('dev');
    const first = await runUpdate(deps, { now, triggers: ['prod', 'dev'] });
    expect(first.failed).to.deep.equal([]);
    expect(first).to.include({ callbacksSent: 3, callbackFailures: 3, callbacksPending: 3 });
    expect(runSucceeded(first)).to.equal(false);
    const stored = await settings.get();
    expect(stored.pending_callbacks).to.deep.equal([]);
    expect(stored.failed_callbacks).to.deep.equal(
      Object.fromEntries(ALL.map((name) => [name, { targets: ['dev'], since: clock }])),
    );

    // A run without triggers leaves them owed.
    clock += 60;
    const quiet = await runUpdate({ ...deps, notifier: undefined }, { now });
    expect(quiet.callbacksPending).to.equal(3);
    expect((await settings.get()).failed_callbacks).to.deep.equal(stored.failed_callbacks);

    // Still failing: owed since the first failure; prod, which succeeded, is not sent again.
    clock += 60;
    notifier.sent.length = 0;
    const second = await runUpdate(deps, { now, triggers: ['prod', 'dev'] });
    expect(second).to.include({ callbacksSent: 0, callbackFailures: 3, callbacksPending: 3 });
    expect((await settings.get()).failed_callbacks).to.deep.equal(stored.failed_callbacks);

    notifier.failing.clear();
    clock += 60;
    const third = await runUpdate(deps, { now, triggers: ['prod', 'dev'] });
    expect(third).to.include({ callbacksSent: 3, callbackFailures: 0, callbacksPending: 0 });
    expect(runSucceeded(third)).to.equal(true);
    expect(notifier.sent.map((s) => `${s.name}:${s.target}`).sort()).to.deep.equal(
      ALL.map((name) => `${name}:dev`),
    );
    const after = await settings.get();
    expect(after.failed_callbacks).to.deep.equal({});
    expect(after.pending_callbacks).to.deep.equal([]);
  });

  it('gives up a notification that has failed for longer than the allowed age, with a warning', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    notifier.failing.add('prod');
    await runUpdate({ ...deps, logger }, { now, triggers: ['prod'] });
    expect(Object.keys((await settings.get()).failed_callbacks as object)).to.deep.equal(ALL);

    clock += 3601;
    notifier.attempts = 0;
    const later = await runUpdate(
      { ...deps, logger },
      { now, triggers: ['prod'], callbackMaxAgeSeconds: 3600 },
    );
    expect(notifier.attempts).to.equal(0);
    expect(later.callbacksPending).to.equal(0);
    expect((await settings.get()).failed_callbacks).to.deep.equal({});
    const givenUp = lines.map((line) => JSON.parse(line) as { msg: string; workflow?: string });
    expect(
      givenUp.filter((l) => l.msg.startsWith('notification given up')).map((l) => l.workflow),
    ).to.deep.equal(ALL);
  });
});
