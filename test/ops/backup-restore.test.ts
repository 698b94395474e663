import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DatabaseNames } from '../../couch/setup.js';
import { setUpTestDatabases, uniqueDbNames, type TestCouch } from '../support/couch.js';
import { cliEnv, messageText, runCli } from './support/cli.js';

async function everyDocument(couch: TestCouch, db: string): Promise<unknown[]> {
  const response = await couch.server.use(db).list({ include_docs: true });
  return response.rows.map((row) => row.doc);
}

async function exists(couch: TestCouch, db: string): Promise<boolean> {
  return couch.server.db.get(db).then(
    () => true,
    () => false,
  );
}

describe('--action backup and --action restore', function () {
  let couch: TestCouch;
  let source: DatabaseNames;
  let outDir: string;
  let backupFile: string;

  before(async () => {
    ({ couch, names: source } = await setUpTestDatabases('backup'));
    const requests = couch.server.use<Record<string, unknown>>(source.requests);
    const docs = Array.from({ length: 1234 }, (_, i) => ({
      _id: `pdmvserv_task_X-${i}_240101_101010_${i}`,
      RequestName: `pdmvserv_task_X-${i}_240101_101010_${i}`,
      EventNumberHistory: [
        {
          Time: 1700000000 + i,
          Datasets: { '/A/B/AOD': { Type: 'VALID', Events: i, Size: i * 1000 } },
        },
      ],
    }));
    docs.push({ _id: 'odd/id with spaces, ü and #', RequestName: 'odd', EventNumberHistory: [] });
    await requests.bulk({ docs });
    // A document with several revisions, and a deleted one (deleted documents are not backed up).
    const first = await requests.get(docs[0]?._id as string);
    await requests.insert({ ...first, RequestPriority: 200000 });
    const second = await requests.get(docs[1]?._id as string);
    await requests.destroy(second._id, second._rev);
    await couch.server.use<Record<string, unknown>>(source.settings).insert({
      _id: 'all_settings',
      last_reqmgr_sequence: '123-g1AAAAabc',
      last_dbs_update_date: 1700000000,
      failed_workflows: ['x'],
    });
    outDir = mkdtempSync(path.join(os.tmpdir(), 'stats2-backup-'));
  });

  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('backup writes one dated gzip file with every document and prints its path and counts', async () => {
    const result = await runCli(['--action', 'backup', '--out', outDir], cliEnv(couch, source));

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    const files = readdirSync(outDir);
    expect(files).to.have.length(1); // no temporary file left behind
    expect(files[0]).to.match(/^stats2-backup-\d{8}T\d{6}Z\.ndjson\.gz$/);
    backupFile = path.join(outDir, files[0] as string);
    expect(messageText(result.stdout)).to.include(`backup written: ${backupFile}`);
    // 1234 workflows + 1 odd − 1 deleted + 2 design documents; settings: all_settings + validate_write.
    expect(messageText(result.stdout)).to.include(
      `${source.requests}: 1236 documents (2 design documents)`,
    );
    expect(messageText(result.stdout)).to.include(
      `${source.settings}: 2 documents (1 design document)`,
    );

    const lines = gunzipSync(readFileSync(backupFile)).toString('utf8').trim().split('\n');
    expect(JSON.parse(lines[0] as string)).to.include({
      type: 'header',
      format: 'stats2-backup',
      version: 1,
    });
    expect(JSON.parse(lines.at(-1) as string)).to.deep.equal({
      type: 'end',
      counts: { requests: 1236, settings: 2 },
    });
  });

  it('restore into missing databases gives identical documents, revisions and security', async () => {
    const target = uniqueDbNames('restored');
    const result = await runCli(['--action', 'restore', '--in', backupFile], cliEnv(couch, target));

    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(messageText(result.stdout)).to.include(
      `${target.requests}: 1236 documents restored (database created)`,
    );
    for (const role of ['requests', 'settings'] as const) {
      expect(await everyDocument(couch, target[role]), role).to.deep.equal(
        await everyDocument(couch, source[role]),
      );
      const security = (db: string) => couch.server.request({ db, path: '_security' });
      expect(await security(target[role])).to.deep.equal(await security(source[role]));
    }
    const restored = await couch.server
      .use<{ _rev: string }>(target.requests)
      .get('odd/id with spaces, ü and #');
    expect(restored._rev).to.match(/^1-/);
  });

  it('restore refuses databases that hold documents unless --force, and --force keeps them identical', async () => {
    const target = uniqueDbNames('restoredtwice');
    expect(
      (await runCli(['--action', 'restore', '--in', backupFile], cliEnv(couch, target))).code,
    ).to.equal(0);

    const refused = await runCli(
      ['--action', 'restore', '--in', backupFile],
      cliEnv(couch, target),
    );
    expect(refused.code).to.equal(1);
    expect(messageText(refused.stdout)).to.include(
      `${target.requests} holds 1236 documents, ${target.settings} holds 2 documents`,
    );
    expect(messageText(refused.stdout)).to.include('pass --force');

    const forced = await runCli(
      ['--action', 'restore', '--in', backupFile, '--force'],
      cliEnv(couch, target),
    );
    expect(forced.code, forced.stdout + forced.stderr).to.equal(0);
    expect(await everyDocument(couch, target.requests)).to.deep.equal(
      await everyDocument(couch, source.requests),
    );
  });

  it('restore of a cut-short backup fails before writing anything', async () => {
    const cut = path.join(outDir, 'cut.ndjson.gz');
    const whole = readFileSync(backupFile);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const target = uniqueDbNames('restoredcut');

    const result = await runCli(['--action', 'restore', '--in', cut], cliEnv(couch, target));

    expect(result.code).to.equal(1);
    expect(messageText(result.stdout)).to.include(
      `backup file ${cut} cannot be read: unexpected end of file`,
    );
    expect(await exists(couch, target.requests)).to.equal(false);
  });

  it('says which option is missing or misplaced (exit status 2)', async () => {
    const env = cliEnv(couch, source);
    const noOut = await runCli(['--action', 'backup'], env);
    expect(noOut.code).to.equal(2);
    expect(noOut.stderr).to.include('backup needs --out <DIR>');
    const misplaced = await runCli(['--action', 'backup', '--out', outDir, '--force'], env);
    expect(misplaced.code).to.equal(2);
    expect(misplaced.stderr).to.include('backup does not take --force (restore does)');
    const missingFile = await runCli(
      ['--action', 'restore', '--in', path.join(outDir, 'nope.gz')],
      env,
    );
    expect(missingFile.code).to.equal(1);
    expect(messageText(missingFile.stdout)).to.include('nope.gz cannot be read: ENOENT');
    expect(existsSync(path.join(outDir, 'nope.gz'))).to.equal(false);
  });
});
