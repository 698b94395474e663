import { expect } from 'chai';
import { compileDesignDoc } from '../../couch/design.js';
import type { DatabaseNames } from '../../couch/setup.js';
import { testCouch, uniqueDbNames, type TestCouch } from '../support/couch.js';
import { cliEnv, messageText, runCli } from './support/cli.js';

type Doc = { _id: string; _rev?: string; [field: string]: unknown };

/** The test server's URL with the admin's credentials in it, as an operator would give --from. */
function urlWithCredentials(couch: TestCouch): string {
  const url = new URL(couch.admin.url);
  const [user, password] = Buffer.from(
    (couch.admin.authHeader ?? 'Basic ').slice('Basic '.length),
    'base64',
  )
    .toString()
    .split(':');
  url.username = encodeURIComponent(user ?? '');
  url.password = encodeURIComponent(password ?? '');
  return url.toString();
}

async function contents(couch: TestCouch, db: string): Promise<Doc[]> {
  const response = await couch.server.use<Doc>(db).list({ include_docs: true });
  return response.rows
    .map((row) => row.doc as Doc)
    .filter((doc) => !doc._id.startsWith('_design/'));
}

const withoutRev = ({ _rev: _ignored, ...doc }: Doc) => doc;

describe('--action import', function () {
  let couch: TestCouch;
  let old: DatabaseNames;
  let target: DatabaseNames;
  const sequence =
    '4263813-g1AAAAFzeJzLYWBg4MhgTmHgzcvPy09JdcjLz8gvLskBCScyJNX___8_K5GBAY9CJQYgmWQPVszIiEudA0hdPEgxIwMDAMEgHIs';

  before(async () => {
    couch = await testCouch();
    // An "old Stats2": databases made by hand, its own hand-made design documents.
    old = uniqueDbNames('oldstats2');
    target = uniqueDbNames('imported');
    await couch.server.db.create(old.requests);
    await couch.server.db.create(old.settings);
    const workflows: Doc[] = Array.from({ length: 1100 }, (_, i) => ({
      _id: `cmsunified_task_Y-${i}_230101_000000_${i}`,
      RequestName: `cmsunified_task_Y-${i}_230101_000000_${i}`,
      Campaigns: ['Run3Summer23'],
      TotalInputLumis: i % 7 === 0 ? null : i,
      EventNumberHistory: [
        { Time: 1690000000, Datasets: { '/X/Y/AOD': { Type: 'VALID', Events: i, Size: 1 } } },
      ],
    }));
    await couch.server.use<Doc>(old.requests).bulk({
      docs: [
        ...workflows,
        {
          _id: '_design/_designDoc',
          views: {
            campaigns: { map: 'function (doc) { emit(doc.Campaigns[0], doc.RequestName); }' },
          },
        },
      ],
    });
    await couch.server.use<Doc>(old.settings).bulk({
      docs: [
        {
          _id: 'all_settings',
          last_reqmgr_sequence: sequence,
          last_dbs_update_date: 1690000123,
          failed_workflows: ['cmsunified_task_Y-3_230101_000000_3'],
        },
        {
          _id: '_design/validate_write',
          validate_doc_update: 'function (newDoc, oldDoc, userCtx) {}',
        },
      ],
    });
  });

  it('copies workflows and settings verbatim into our set-up databases, without their design documents', async () => {
    const args = [
      '--action',
      'import',
      '--from',
      urlWithCredentials(couch),
      '--from-requests-db',
      old.requests,
      '--from-settings-db',
      old.settings,
    ];
    const result = await runCli(args, cliEnv(couch, target));

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(messageText(result.stdout)).to.include(
      `${target.requests}: created, security set to public read`,
    );
    expect(messageText(result.stdout)).to.include(
      `workflows from ${couch.admin.url}/${old.requests}: 1100 read, 1100 created, 0 updated, 0 unchanged, 0 failed`,
    );
    expect(messageText(result.stdout)).to.include(`last_reqmgr_sequence: "${sequence}"`);
    expect(result.stdout + result.stderr).not.to.include(
      couch.admin.authHeader?.slice('Basic '.length) ?? 'never',
    );

    expect((await contents(couch, target.requests)).map(withoutRev)).to.deep.equal(
      (await contents(couch, old.requests)).map(withoutRev),
    );
    const settings = await couch.server.use<Doc>(target.settings).get('all_settings');
    expect(withoutRev(settings)).to.deep.equal(
      withoutRev(await couch.server.use<Doc>(old.settings).get('all_settings')),
    );
    expect(settings.last_reqmgr_sequence).to.equal(sequence);

    const designDoc = await couch.server.use<Doc>(target.requests).get('_design/_designDoc');
    expect(designDoc.deploy).to.deep.equal(compileDesignDoc('_designDoc').deploy);
    expect(
      await couch.server
        .use(target.requests)
        .view('_designDoc', 'campaigns', { key: 'Run3Summer23', limit: 0 }),
    ).to.include({ total_rows: 1100 });
  });

  it('changes nothing when run a second time', async () => {
    const before = await contents(couch, target.requests);
    const args = [
      '--action',
      'import',
      '--from',
      urlWithCredentials(couch),
      '--from-requests-db',
      old.requests,
      '--from-settings-db',
      old.settings,
    ];
    const result = await runCli(args, cliEnv(couch, target));

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(messageText(result.stdout)).to.include(
      '1100 read, 0 created, 0 updated, 1100 unchanged, 0 failed',
    );
    expect(messageText(result.stdout)).to.include(
      'settings: 1 read, 0 created, 0 updated, 1 unchanged, 0 failed',
    );
    expect(await contents(couch, target.requests)).to.deep.equal(before);
  });

  it('names the flag to use when the source database does not exist', async () => {
    const missing = uniqueDbNames('importmissing').requests;
    const result = await runCli(
      ['--action', 'import', '--from', urlWithCredentials(couch), '--from-requests-db', missing],
      cliEnv(couch, target),
    );

    expect(result.code).to.equal(1);
    expect(messageText(result.stdout)).to.include(
      `the source ${couch.admin.url} has no database ${missing}; name the right one with --from-requests-db`,
    );
  });
});
