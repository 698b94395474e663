import { expect } from 'chai';
import { cpSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDesignDoc, DESIGN_DOCS_DIR } from '../../couch/design.js';
import { deployDesignDocs, retiredId, stagingId } from '../../couch/deploy.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { readDashboardViews } from '../../server/read-model/dashboard-views.js';
import { contributionOf, dashboardWorld } from '../server/dashboard-world.js';
import { NOW } from '../server/fixtures.js';
import { setUpTestDatabases } from '../support/couch.js';
import { indexCommitted, rowsOfExistingIndex, rowsOfRemovedIndex } from '../support/view-index.js';

describe('staged design document deploy', function () {
  this.timeout(120_000);

  it('builds a changed design document under a staging id, swaps it in, and readers never fail or see nothing', async () => {
    const { couch, names } = await setUpTestDatabases('deploy');
    const workflows = new WorkflowRepository(couch.server, names.requests);
    const docs = Array.from({ length: 300 }, (_, i) => ({
      _id: `wf_${String(i).padStart(4, '0')}_240101_101010_${i}`,
      RequestName: `wf_${String(i).padStart(4, '0')}_240101_101010_${i}`,
      RequestType: i % 2 ? 'TaskChain' : 'ReReco',
      Campaigns: ['Camp'],
    }));
    await workflows.writeMany(docs);
    const reader = couch.anonymous.use(names.requests);
    expect((await reader.view('_designDoc', 'types', { key: 'TaskChain' })).rows).to.have.length(
      150,
    );
    const original = compileDesignDoc('_designDoc');
    if (!couch.embedded) {
      // The probe works: the live (old) index is found without building anything.
      await indexCommitted(couch.server, names.requests, '_designDoc');
      expect(
        await rowsOfExistingIndex(couch.server, names.requests, original, 'types', 'TaskChain'),
      ).to.equal(150);
    }

    // The new version of `types` emits lower-case types as well.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddocs-'));
    cpSync(DESIGN_DOCS_DIR, dir, { recursive: true });
    writeFileSync(
      path.join(dir, '_designDoc/views/types/map.js'),
      "function map(doc) {\n  if (doc.RequestName && typeof doc.RequestType === 'string' && doc.RequestType) {\n    emit(doc.RequestType, doc.RequestName);\n    emit(doc.RequestType.toLowerCase(), doc.RequestName);\n  }\n}\n",
    );
    const changed = compileDesignDoc('_designDoc', dir);

    const readerErrors: unknown[] = [];
    const readerCounts: number[] = [];
    let deploying = true;
    const readerLoop = (async () => {
      while (deploying) {
        try {
          const answer = await reader.view('_designDoc', 'campaigns', { key: 'Camp', limit: 1000 });
          readerCounts.push(answer.rows.length);
          const types = await reader.view('_designDoc', 'types', { key: 'TaskChain' });
          readerCounts.push(types.rows.length === 150 ? 300 : -1);
        } catch (err) {
          readerErrors.push(err);
        }
      }
    })();
    const results = await deployDesignDocs(couch.server, names.requests, [changed]);
    deploying = false;
    await readerLoop;

    expect(results).to.deep.equal([{ id: '_design/_designDoc', action: 'updated' }]);
    expect(readerErrors).to.deep.equal([]);
    expect(readerCounts.length).to.be.greaterThan(0);
    expect(readerCounts.every((n) => n === 300)).to.equal(true);

    const live = await reader.get('_design/_designDoc');
    expect((live as unknown as { deploy: { hash: string } }).deploy.hash).to.equal(
      changed.deploy.hash,
    );
    expect((await reader.view('_designDoc', 'types', { key: 'taskchain' })).rows).to.have.length(
      150,
    );
    const staged = await reader.get(stagingId('_design/_designDoc')).then(
      () => true,
      () => false,
    );
    expect(staged, 'staging copy removed').to.equal(false);
    const retired = await reader.get(retiredId('_design/_designDoc')).then(
      () => true,
      () => false,
    );
    expect(retired, 'retired copy removed').to.equal(false);

    if (couch.embedded) {
      // pouchdb-server's cleanup destroys every index no live view is registered for (in
      // _local/mrviews): each live view must be registered, or the cleanup would have
      // thrown away the index readers need.
      const indexes = (await couch.server.use(names.requests).get('_local/mrviews')) as unknown as {
        views: Record<string, unknown>;
      };
      const registered = Object.keys(indexes.views);
      for (const view of Object.keys(changed.views ?? {}))
        expect(registered).to.include(`_designDoc/${view}`);
    } else {
      // Apache CouchDB: the old version's index files are gone (the cleanup after the swap).
      // A design document with the old views would share them if they were still there.
      expect(
        await rowsOfRemovedIndex(couch.server, names.requests, original, 'types', 'TaskChain'),
      ).to.equal(0);
    }

    const again = await deployDesignDocs(couch.server, names.requests, [changed]);
    expect(again).to.deep.equal([{ id: '_design/_designDoc', action: 'unchanged' }]);
  });

  it('keeps every reader answered while a design document is replaced again and again under writes', async () => {
    // Apache CouchDB closes an index once no design document it was opened through has its
    // views, failing the queries waiting on it; without the retired copy, 10 such deploys
    // failed 1–3 of 6 readers' queries on one node.
    const { couch, names } = await setUpTestDatabases('deploy-repeated');
    const workflows = new WorkflowRepository(couch.server, names.requests);
    const name = (i: number) => `wf_${String(i).padStart(4, '0')}_240101_101010_${i}`;
    await workflows.writeMany(
      Array.from({ length: 300 }, (_, i) => ({
        _id: name(i),
        RequestName: name(i),
        RequestType: i % 2 ? 'TaskChain' : 'ReReco',
        Campaigns: ['Camp'],
      })),
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddocs-'));
    cpSync(DESIGN_DOCS_DIR, dir, { recursive: true });
    const version = (n: number) => {
      writeFileSync(
        path.join(dir, '_designDoc/views/types/map.js'),
        `function map(doc) {\n  if (doc.RequestName && typeof doc.RequestType === 'string') {\n    emit(doc.RequestType, doc.RequestName);\n    emit('v${n}', doc.RequestName);\n  }\n}\n`,
      );
      return compileDesignDoc('_designDoc', dir);
    };
    const reader = couch.anonymous.use(names.requests);
    const failures: string[] = [];
    const wrong: number[] = [];
    let deploying = true;
    const readers = Array.from({ length: 6 }, async () => {
      while (deploying) {
        try {
          const types = await reader.view('_designDoc', 'types', { key: 'TaskChain' });
          // 150 TaskChains, and more written before each deploy.
          if (types.rows.length < 150) wrong.push(types.rows.length);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    });
    const rounds = 8;
    for (let n = 0; n < rounds; n++) {
      await workflows.writeMany([
        { _id: name(1000 + n), RequestName: name(1000 + n), RequestType: 'TaskChain' },
      ]);
      expect(await deployDesignDocs(couch.server, names.requests, [version(n)])).to.deep.equal([
        { id: '_design/_designDoc', action: 'updated' },
      ]);
    }
    deploying = false;
    await Promise.all(readers);

    expect(failures).to.deep.equal([]);
    expect(wrong).to.deep.equal([]);
    const last = await reader.view('_designDoc', 'types', { key: `v${rounds - 1}` });
    expect(last.rows).to.have.length(300 + rounds);
  });

  it('removes the staging and retired copies an interrupted deploy left, and their indexes', async () => {
    const { couch, names } = await setUpTestDatabases('deploy-leftovers');
    const db = couch.server.use(names.requests);
    await db.insert({
      _id: 'wf_1_240101_101010_1',
      RequestName: 'wf_1_240101_101010_1',
      RequestType: 'ReReco',
    } as never);
    const live = compileDesignDoc('_designDoc');
    const leftoverViews = { leftover: { map: 'function (doc) { emit(doc._id, 1); }' } };
    for (const id of [stagingId(live._id), retiredId(live._id)]) {
      await db.insert({ _id: id, language: 'javascript', views: leftoverViews } as never);
      await db.view(id.slice('_design/'.length), 'leftover', { limit: 1 });
    }
    const leftover = { language: 'javascript', views: leftoverViews };
    if (!couch.embedded) await indexCommitted(couch.server, names.requests, ':retired:_designDoc');
    expect(
      await rowsOfExistingIndex(
        couch.server,
        names.requests,
        leftover,
        'leftover',
        'wf_1_240101_101010_1',
      ),
    ).to.equal(1);

    expect(await deployDesignDocs(couch.server, names.requests, [live])).to.deep.equal([
      { id: '_design/_designDoc', action: 'unchanged' },
    ]);
    for (const id of [stagingId(live._id), retiredId(live._id)]) {
      const present = await db.get(id).then(
        () => true,
        () => false,
      );
      expect(present, id).to.equal(false);
    }
    expect(
      await rowsOfRemovedIndex(
        couch.server,
        names.requests,
        leftover,
        'leftover',
        'wf_1_240101_101010_1',
      ),
    ).to.equal(0);
    expect((await db.view('_designDoc', 'types', { key: 'ReReco' })).rows).to.have.length(1);
  });

  it('replaces the previous dashboards design document (view progress) by this version (view production)', async () => {
    const { couch, names } = await setUpTestDatabases('deploy-dashboards');
    const workflows = new WorkflowRepository(couch.server, names.requests);
    const world = dashboardWorld(NOW, 20);
    await workflows.writeMany(world);
    // The previous version: a `progress` view whose rows have one campaign (null: across).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddocs-'));
    cpSync(DESIGN_DOCS_DIR, dir, { recursive: true });
    const views = path.join(dir, 'dashboards/views');
    renameSync(path.join(views, 'production'), path.join(views, 'progress'));
    writeFileSync(
      path.join(views, 'progress/map.js'),
      'function map(doc) {\n  emit([null, 2025, 1, null], [1]);\n}\n',
    );
    const previous = compileDesignDoc('dashboards', dir);
    const current = compileDesignDoc('dashboards');
    expect(await deployDesignDocs(couch.server, names.requests, [previous])).to.deep.equal([
      { id: '_design/dashboards', action: 'updated' },
    ]);
    const reader = couch.anonymous.use(names.requests);
    expect((await reader.view('dashboards', 'progress', { group: true })).rows).to.have.length(1);

    expect(await deployDesignDocs(couch.server, names.requests, [current])).to.deep.equal([
      { id: '_design/dashboards', action: 'updated' },
    ]);
    const gone = await reader.view('dashboards', 'progress', { limit: 1 }).then(
      () => 'answered',
      (err: { statusCode?: number }) => err.statusCode,
    );
    expect(gone, 'the previous view').to.equal(404);
    const read = await readDashboardViews(workflows);
    const produced = world.map(contributionOf).reduce((sum, c) => sum + c.produced, 0);
    expect(read.all.total).to.equal(produced);
    expect(await deployDesignDocs(couch.server, names.requests, [current])).to.deep.equal([
      { id: '_design/dashboards', action: 'unchanged' },
    ]);
  });
});
