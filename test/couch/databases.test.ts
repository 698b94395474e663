import { expect } from 'chai';
import { WorkflowRepository } from '../../couch/workflows.js';
import { SettingsRepository } from '../../couch/settings.js';
import { PUBLIC_READ_SECURITY, setupDatabases } from '../../couch/setup.js';
import { setUpTestDatabases, uniqueDbNames, type TestCouch } from '../support/couch.js';
import type { DatabaseNames } from '../../couch/setup.js';
import type { StoredWorkflow } from '../../workflow/documents.js';

const wf = (name: string, fields: Partial<StoredWorkflow> = {}): StoredWorkflow => ({
  _id: name,
  RequestName: name,
  ...fields,
});

/** Another writer sets `target`'s priority between our read and our write, once. */
class RacedRepository extends WorkflowRepository {
  raced = false;

  constructor(
    couch: TestCouch,
    names: DatabaseNames,
    private readonly target: string,
    private readonly priority: number,
  ) {
    super(couch.server, names.requests);
  }

  override async getMany(ids: readonly string[]): Promise<Map<string, StoredWorkflow>> {
    const found = await super.getMany(ids);
    const current = found.get(this.target);
    if (!this.raced && current) {
      this.raced = true;
      await super.writeMany([{ ...current, RequestPriority: this.priority }]);
    }
    return found;
  }
}

/** The HTTP status a request ends with (200 for any success). */
function statusOf(request: Promise<unknown>): Promise<number> {
  return request.then(
    () => 200,
    (err: unknown) => (err as { statusCode?: number }).statusCode ?? 0,
  );
}

describe('CouchDB databases after setup', function () {
  let couch: TestCouch;
  let names: DatabaseNames;
  let workflows: WorkflowRepository;

  before(async () => {
    ({ couch, names } = await setUpTestDatabases('databases'));
    workflows = new WorkflowRepository(couch.server, names.requests);
  });

  it('running setup again changes nothing', async () => {
    const again = await setupDatabases(couch.server, names);
    for (const report of again) {
      expect(report.created, report.db).to.equal(false);
      expect(report.securityChanged, report.db).to.equal(false);
      expect(report.designDocs.map((d) => d.action)).to.deep.equal(
        report.designDocs.map(() => 'unchanged'),
      );
    }
  });

  it('views return the right keys and names for repeated, empty and missing fields', async () => {
    const outcomes = await workflows.writeMany([
      wf('a_wf_240101_101010_1', {
        Campaigns: ['C1', 'C1', 'C2'],
        Requests: ['R-1', 'R-1'],
        OutputDatasets: ['/P/Q/AOD', '/P/Q/MINIAOD'],
        PrepID: 'task_R-1',
        RequestType: 'TaskChain',
        ProcessingString: 'PS',
        InputDataset: '/I/J/RAW',
      }),
      wf('b_wf_240101_101010_2', {
        Campaigns: ['C2'],
        Requests: [],
        OutputDatasets: ['/P/Q/AOD'],
        PrepID: 'task_R-1',
        RequestType: 'TaskChain',
        ProcessingString: '',
      }),
      wf('c_wf_240101_101010_3', { Campaigns: null, OutputDatasets: null, PrepID: null }),
      wf('d_wf_240101_101010_4'),
    ]);
    expect(outcomes.every((o) => o.ok)).to.equal(true);

    expect(await workflows.namesByKey('campaigns', 'C1')).to.deep.equal(['a_wf_240101_101010_1']);
    expect(await workflows.namesByKey('campaigns', 'C2')).to.have.members([
      'a_wf_240101_101010_1',
      'b_wf_240101_101010_2',
    ]);
    expect(await workflows.namesByKey('requests', 'R-1')).to.deep.equal(['a_wf_240101_101010_1']);
    expect(await workflows.namesByKey('outputDatasets', '/P/Q/AOD')).to.have.members([
      'a_wf_240101_101010_1',
      'b_wf_240101_101010_2',
    ]);
    expect(await workflows.namesByKey('prepids', 'task_R-1')).to.have.members([
      'a_wf_240101_101010_1',
      'b_wf_240101_101010_2',
    ]);
    expect(await workflows.namesByKey('types', 'TaskChain')).to.have.length(2);
    expect(await workflows.namesByKey('processingStrings', 'PS')).to.deep.equal([
      'a_wf_240101_101010_1',
    ]);
    expect(await workflows.namesByKey('processingStrings', '')).to.deep.equal([]);
    expect(await workflows.namesByKey('inputDatasets', '/I/J/RAW')).to.deep.equal([
      'a_wf_240101_101010_1',
    ]);
    expect(await workflows.namesByKey('campaigns', 'nothing')).to.deep.equal([]);

    const many = await workflows.namesByKeys('outputDatasets', [
      '/P/Q/AOD',
      '/P/Q/MINIAOD',
      '/not/there/RAW',
    ]);
    expect(many.get('/P/Q/MINIAOD')).to.deep.equal(['a_wf_240101_101010_1']);
    expect(many.has('/not/there/RAW')).to.equal(false);
  });

  it('keys with quotes, slashes and unicode are passed as JSON, never spliced into URLs', async () => {
    const odd = 'we"ird/ké y&x=1?#%';
    await workflows.writeMany([wf('e_wf_240101_101010_5', { Campaigns: [odd] })]);
    expect(await workflows.namesByKey('campaigns', odd)).to.deep.equal(['e_wf_240101_101010_5']);
  });

  it('counts and scans workflows without design documents', async () => {
    const count = await workflows.count();
    const scanned: string[] = [];
    for await (const page of workflows.scan(2)) scanned.push(...page.map((d) => d._id));
    expect(scanned).to.have.length(count);
    expect(scanned.some((id) => id.startsWith('_design/'))).to.equal(false);
    expect(scanned).to.deep.equal([...scanned].sort());
  });

  for (const db of ['requests', 'settings'] as const) {
    it(`${db}: anonymous reads work, anonymous writes are rejected, admin writes are accepted`, async () => {
      const anonymous = couch.anonymous.use(names[db]);
      const admin = couch.server.use(names[db]);
      const written = await admin.insert({ _id: `admin_doc_${db}`, RequestName: 'x' } as never);
      expect(written.ok).to.equal(true);
      const read = await anonymous.get(`admin_doc_${db}`);
      expect(read._id).to.equal(`admin_doc_${db}`);
      const err = await anonymous.insert({ _id: `anon_doc_${db}` } as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (couch.embedded) {
        // The embedded server's guard refuses anonymous writes as a whole (401 or 403).
        expect((err as { statusCode?: number })?.statusCode).to.be.oneOf([401, 403]);
        const bulk = await anonymous.bulk({ docs: [{ _id: `anon_bulk_${db}` }] }).then(
          (results) => results[0]?.error,
          (e: unknown) => (e as { error?: string }).error,
        );
        expect(bulk).to.be.oneOf(['forbidden', 'unauthorized']);
      } else {
        // Public read lets the write reach validate_write, which refuses it.
        expect(err).to.include({ statusCode: 403, error: 'forbidden' });
        const bulk = await anonymous.bulk({ docs: [{ _id: `anon_bulk_${db}` }] });
        expect(bulk[0]?.error).to.equal('forbidden');
      }
      const exists = await admin.get(`anon_doc_${db}`).then(
        () => true,
        () => false,
      );
      expect(exists).to.equal(false);
    });
  }

  it('a database created outside setup is admin-only on Apache CouchDB until setup opens it for reading', async () => {
    const fresh = uniqueDbNames('fresh');
    await couch.server.db.create(fresh.requests);
    const before = await statusOf(couch.anonymous.db.get(fresh.requests));
    // Apache CouchDB 3 creates databases admin-only; pouchdb-server leaves them open.
    expect(before).to.equal(couch.embedded ? 200 : 401);

    const [requests] = await setupDatabases(couch.server, fresh);
    expect(requests).to.include({ db: fresh.requests, created: false, securityChanged: true });
    expect(await statusOf(couch.anonymous.db.get(fresh.requests))).to.equal(200);
    const write = await couch.anonymous
      .use(fresh.requests)
      .insert({ _id: 'anonymous_doc' } as never)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(write).to.include({ statusCode: 403, error: 'forbidden' });
  });

  for (const db of ['requests', 'settings'] as const) {
    it(`${db}: anonymous clients can change neither the security object nor the design documents`, async () => {
      const anonymous = couch.anonymous.use(names[db]);
      const intruder = { names: ['intruder'], roles: [] };
      const security = await statusOf(
        couch.anonymous.request({
          db: names[db],
          method: 'put',
          path: '_security',
          body: { admins: intruder, members: intruder },
        }),
      );
      // pouchdb-server: 401. Apache CouchDB: every shard refuses the anonymous write, which
      // the cluster layer reports as 500 no_majority.
      expect(security).to.equal(couch.embedded ? 401 : 500);
      expect(await couch.server.request({ db: names[db], path: '_security' })).to.deep.equal(
        PUBLIC_READ_SECURITY,
      );

      // nano POSTs a document to the database. Apache CouchDB reads the body and answers a
      // design document 401; the embedded server's guard refuses every anonymous document
      // POST before the body is read, with 403.
      const postRefusal = couch.embedded ? 403 : 401;
      expect(await statusOf(anonymous.insert({ _id: '_design/intruder' } as never))).to.equal(
        postRefusal,
      );
      const validate = await couch.server.use(names[db]).get('_design/validate_write');
      expect(await statusOf(anonymous.destroy('_design/validate_write', validate._rev))).to.equal(
        401,
      );
      const replaced = { ...validate, validate_doc_update: 'function () {}' };
      expect(await statusOf(anonymous.insert(replaced))).to.equal(postRefusal);
      expect(await statusOf(anonymous.get('_design/intruder'))).to.equal(404);
      expect(await couch.server.use(names[db]).get('_design/validate_write')).to.deep.equal(
        validate,
      );
    });
  }

  it('bulk write with a stale _rev reports that document as a conflict and writes the others', async () => {
    const [first] = await workflows.writeMany([wf('f_wf_240101_101010_6', { RequestPriority: 1 })]);
    if (!first?.ok) throw new Error('setup write failed');
    await workflows.writeMany([
      { ...wf('f_wf_240101_101010_6', { RequestPriority: 2 }), _rev: first.rev },
    ]);
    const outcomes = await workflows.writeMany([
      { ...wf('f_wf_240101_101010_6', { RequestPriority: 3 }), _rev: first.rev },
      wf('g_wf_240101_101010_7'),
      wf('h_wf_240101_101010_8'),
    ]);
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    expect(byId.get('f_wf_240101_101010_6')).to.include({ ok: false, error: 'conflict' });
    expect(byId.get('g_wf_240101_101010_7')?.ok).to.equal(true);
    expect(byId.get('h_wf_240101_101010_8')?.ok).to.equal(true);
    expect((await workflows.get('f_wf_240101_101010_6'))?.RequestPriority).to.equal(2);
  });

  it('read-modify-write retries documents that changed underneath it', async () => {
    await workflows.writeMany([wf('i_wf_240101_101010_9', { RequestPriority: 1 })]);
    const raced = new RacedRepository(couch, names, 'i_wf_240101_101010_9', 5);
    const outcomes = await raced.upsertMany(
      ['i_wf_240101_101010_9', 'j_wf_240101_101010_10'],
      (id, current) => ({
        ...(current ?? wf(id)),
        RequestPriority: (current?.RequestPriority ?? 0) + 10,
      }),
    );
    expect(raced.raced).to.equal(true);
    expect(outcomes.every((o) => o.ok)).to.equal(true);
    expect((await workflows.get('i_wf_240101_101010_9'))?.RequestPriority).to.equal(15);
    expect((await workflows.get('j_wf_240101_101010_10'))?.RequestPriority).to.equal(10);
  });

  it('read-modify-write reports nothing when the retry finds its change already made', async () => {
    await workflows.writeMany([wf('l_wf_240101_101010_12', { RequestPriority: 1 })]);
    // The same change as ours, made by someone else.
    const raced = new RacedRepository(couch, names, 'l_wf_240101_101010_12', 7);
    const outcomes = await raced.upsertMany(['l_wf_240101_101010_12'], (_id, current) =>
      current?.RequestPriority === 7
        ? undefined
        : { ...(current as StoredWorkflow), RequestPriority: 7 },
    );
    expect(raced.raced).to.equal(true);
    expect(outcomes).to.deep.equal([]);
    expect((await workflows.get('l_wf_240101_101010_12'))?.RequestPriority).to.equal(7);
  });

  it('settings come with defaults and survive concurrent updates', async () => {
    const settings = new SettingsRepository(couch.server, names.settings);
    const initial = await settings.get();
    expect(initial).to.include({ last_reqmgr_sequence: 0, last_dbs_update_date: 0 });
    expect(initial.failed_workflows).to.deep.equal([]);
    await Promise.all(
      ['w1', 'w2', 'w3'].map((name) =>
        settings.update((s) => ({ ...s, failed_workflows: [...s.failed_workflows, name] })),
      ),
    );
    expect((await settings.get()).failed_workflows).to.have.members(['w1', 'w2', 'w3']);
  });

  it('deletes only documents that exist', async () => {
    await workflows.writeMany([wf('k_wf_240101_101010_11')]);
    const outcomes = await workflows.deleteMany(['k_wf_240101_101010_11', 'never_existed']);
    expect(outcomes.map((o) => o.id)).to.deep.equal(['k_wf_240101_101010_11']);
    expect(await workflows.get('k_wf_240101_101010_11')).to.equal(undefined);
  });
});
