import { expect } from 'chai';
import type { DatabaseNames } from '../../couch/setup.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { setUpTestDatabases, uniqueDbNames, type TestCouch } from '../support/couch.js';
import { indexCommitted, rowsOfExistingIndex, rowsOfRemovedIndex } from '../support/view-index.js';
import { cliEnv, messages, messageText, runCli } from './support/cli.js';

/** A design document whose index stays behind when it is deleted, until `_view_cleanup`. */
const RETIRED = {
  _id: '_design/retired',
  language: 'javascript',
  views: {
    byCampaign: { map: 'function (doc) { if (doc.Campaigns) emit(doc.Campaigns[0], 1); }' },
  },
};

async function everyDocument(couch: TestCouch, db: string): Promise<unknown[]> {
  const response = await couch.server.use(db).list({ include_docs: true });
  return response.rows.map((row) => row.doc);
}

describe('--action compact', function () {
  let couch: TestCouch;
  let names: DatabaseNames;
  let workflows: WorkflowRepository;

  before(async () => {
    ({ couch, names } = await setUpTestDatabases('compact'));
    workflows = new WorkflowRepository(couch.server, names.requests);
    const docs = Array.from({ length: 40 }, (_, i) => ({
      _id: `wf_${i}`,
      RequestName: `wf_${i}`,
      Campaigns: [`C${i % 3}`],
    }));
    await workflows.writeMany(docs);
    // Older revisions for compaction to drop.
    const stored = await workflows.getMany(docs.map((doc) => doc._id));
    await workflows.writeMany([...stored.values()].map((doc) => ({ ...doc, RequestPriority: 1 })));
    expect(await workflows.namesByKey('campaigns', 'C1')).to.have.length(13);

    // An index no design document uses any more: built, then its design document deleted.
    const db = couch.server.use(names.requests);
    await db.insert(RETIRED as never);
    expect((await db.view('retired', 'byCampaign', { key: 'C1' })).rows).to.have.length(13);
    await indexCommitted(couch.server, names.requests, 'retired');
    await db.destroy(RETIRED._id, (await db.get(RETIRED._id))._rev);
    expect(
      await rowsOfExistingIndex(couch.server, names.requests, RETIRED, 'byCampaign', 'C1'),
      'index left behind',
    ).to.equal(13);
  });

  it('compacts both databases and their views, says what the server does not support, and keeps the data', async () => {
    const before = {
      requests: await everyDocument(couch, names.requests),
      settings: await everyDocument(couch, names.settings),
    };

    const result = await runCli(['--action', 'compact'], cliEnv(couch, names));

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(messageText(result.stdout)).to.include(`ok   ${names.requests}: database:`);
    expect(messageText(result.stdout)).to.include(`ok   ${names.settings}: database:`);
    expect(messageText(result.stdout)).to.include(`ok   ${names.requests}: view cleanup:`);
    if (couch.embedded) {
      // pouchdb-server answers 400 to POST /db/_compact/<ddoc>.
      expect(messageText(result.stdout)).to.match(
        new RegExp(
          `skip ${names.requests}: _design/_designDoc views: not supported by this server`,
        ),
      );
      expect(messageText(result.stdout)).to.match(
        new RegExp(
          `skip ${names.requests}: _design/dashboards views: not supported by this server`,
        ),
      );
      expect(messageText(result.stdout)).to.include(
        '2 not supported by this server, 0 still running, 0 failed',
      );
    } else {
      // Apache CouchDB: the database file and each design document's index rewritten,
      // each polled until its compaction was over.
      const database = new RegExp(
        `ok   ${names.requests}: database: compacted in [0-9.]+ s \\(file ([0-9,]+) bytes → ([0-9,]+) bytes\\)`,
      ).exec(messageText(result.stdout));
      expect(database, result.stdout).to.not.equal(null);
      const [fileBefore, fileAfter] = [database?.[1], database?.[2]].map((n) =>
        Number(n?.replace(/,/g, '')),
      );
      expect(fileAfter, 'older revisions dropped').to.be.lessThan(fileBefore as number);
      const info = (await couch.server.db.get(names.requests)) as { compact_running: boolean };
      expect(info.compact_running).to.equal(false);
      expect(messageText(result.stdout)).to.match(
        new RegExp(
          `ok   ${names.requests}: _design/_designDoc views: compacted in [0-9.]+ s \\(file`,
        ),
      );
      const views = (await couch.server.request({
        db: names.requests,
        path: '_design/_designDoc/_info',
      })) as { view_index: { compact_running: boolean } };
      expect(views.view_index.compact_running).to.equal(false);
      expect(messageText(result.stdout)).to.include(
        `ok   ${names.requests}: _design/dashboards views: compacted`,
      );
    }
    // validate_write has no views: nothing to compact there.
    expect(messageText(result.stdout)).not.to.include('validate_write views');

    expect(await everyDocument(couch, names.requests)).to.deep.equal(before.requests);
    expect(await everyDocument(couch, names.settings)).to.deep.equal(before.settings);
    expect(await workflows.namesByKey('campaigns', 'C1')).to.have.length(13);
    // Apache CouchDB deletes the retired index's files, pouchdb-server its index database.
    expect(
      await rowsOfRemovedIndex(couch.server, names.requests, RETIRED, 'byCampaign', 'C1'),
      'retired index rows',
    ).to.equal(0);
  });

  it('fails with exit status 1 and one line saying what to do when a database is missing', async () => {
    const missing = uniqueDbNames('compactmissing');
    const result = await runCli(
      ['--action', 'compact'],
      cliEnv(couch, { requests: names.requests, settings: missing.settings }),
    );

    expect(result.code).to.equal(1);
    expect(messages(result.stdout)).to.deep.equal([
      `database ${missing.settings} does not exist in CouchDB at ${couch.admin.url}: run "node cli.js --action setup" first, or set COUCHDB_URL and REQUESTS_DB / SETTINGS_DB to where the data is`,
    ]);
  });
});
