/**
 * The command line itself: `--help` prints and does nothing else (no configuration read, no
 * database or network touched, no file written), usage errors, a missing data folder or
 * database as one line, and the output rule (a terminal gets human lines, anything else
 * JSON records), checked on a real pseudo-terminal.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCouch, uniqueDbNames, type TestCouch } from '../support/couch.js';
import { CLI, cliEnv, messages, runCli } from './support/cli.js';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

/** Each action, the flags its help must list, and one variable only it (or few) reads. */
const ACTIONS: Record<string, { flags: string[]; variable: string }> = {
  setup: { flags: [], variable: 'STATS_DATA_DIR' },
  see: { flags: ['--name'], variable: 'REQUESTS_DB' },
  update: { flags: ['--name', '--trigger-prod', '--trigger-dev'], variable: 'UPDATE_LOCK_TTL_S' },
  demo: { flags: [], variable: 'DEMO_SEED' },
  compact: { flags: [], variable: 'COUCHDB_URL' },
  schedule: {
    flags: ['--update-cron', '--compact-cron', '--trigger-prod'],
    variable: 'SCHEDULE_JOB_COMMAND',
  },
  backup: { flags: ['--out'], variable: 'COUCHDB_URL' },
  restore: { flags: ['--in', '--force'], variable: 'COUCHDB_URL' },
  import: {
    flags: ['--from', '--from-requests-db', '--from-settings-db'],
    variable: 'SETTINGS_DB',
  },
  verify: { flags: ['--name', '--limit'], variable: 'CMSWEB_PROD_URL' },
  check: { flags: [], variable: 'COUCHDB_READER_URL' },
};

/** Runs `tasks` a few at a time: the machine is shared. */
async function inTurn<T>(tasks: Array<() => Promise<T>>, atOnce = 4): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += atOnce) {
    results.push(...(await Promise.all(tasks.slice(i, i + atOnce).map((task) => task()))));
  }
  return results;
}

describe('node cli.js', function () {
  this.timeout(180_000);

  describe('--help', () => {
    let couchdb: HttpServer;
    let upstream: TcpServer;
    const touched: string[] = [];
    let dir: string;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      // Stand-ins that only record: any request to CouchDB or connection to an upstream is a failure.
      couchdb = createHttpServer((request, response) => {
        touched.push(`CouchDB ${request.method ?? ''} ${request.url ?? ''}`);
        response.writeHead(500).end();
      });
      upstream = createTcpServer((socket) => {
        touched.push('an upstream connection');
        socket.destroy();
      });
      await new Promise<void>((resolve) => couchdb.listen(0, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-help-'));
      env = {
        PATH: process.env.PATH,
        COUCHDB_URL: `http://admin:secret@127.0.0.1:${(couchdb.address() as AddressInfo).port}`,
        CMSWEB_URL: upstreamUrl,
        CMSWEB_PROD_URL: upstreamUrl,
        SSO_URL: upstreamUrl,
        PDMV_PROD_URL: upstreamUrl,
        PDMV_DEV_URL: upstreamUrl,
        STATS_DATA_DIR: path.join(dir, 'data'),
        STATS_PORT: '0',
        SCHEDULE_UPDATE_CRON: '* * * * * *',
      };
    });

    after(async () => {
      await new Promise<void>((resolve) => couchdb.close(() => resolve()));
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });

    it("of every action, in both forms, prints that action's help and does nothing else", async () => {
      const calls = Object.keys(ACTIONS).flatMap((action) => [
        [action, '--help'],
        ['--action', action, '--help'],
      ]);
      calls.push(
        ['-h', 'update'],
        ['--help', '--action', 'update'],
        ['update', '--name', 'x', '--trigger-prod', '--help'],
        ['backup', '-h'], // --out is needed to run, not to ask for help
        ['schedule', '--update-cron', 'nonsense', '--help'],
      );
      const results = await inTurn(calls.map((args) => () => runCli(args, env, 60_000)));

      for (const [i, result] of results.entries()) {
        const args = calls[i] as string[];
        const action = args.find((arg) => arg in ACTIONS) as string;
        const label = `node cli.js ${args.join(' ')}`;
        expect(result.code, `${label}\n${result.stdout}${result.stderr}`).to.equal(0);
        expect(result.stderr, label).to.equal('');
        const help = result.stdout;
        expect(help, label).to.include(`Usage: node cli.js ${action}`);
        expect(help, label).to.include(`Same as: node cli.js --action ${action}`);
        for (const flag of ACTIONS[action]?.flags ?? []) expect(help, label).to.include(flag);
        expect(help, label).to.match(/^Environment: /m);
        expect(help, label).to.include(ACTIONS[action]?.variable);
        expect(help, label).to.match(/^Exit status:\n {2}0 {2}\S/m);
        expect(help, label).to.match(/^ {2}2 {2}bad flags or configuration$/m);
      }
      expect(touched, 'CouchDB or an upstream was contacted').to.deep.equal([]);
      expect(readdirSync(dir), 'something was written').to.deep.equal([]);
    });

    it('lists every action on its own, and wins over a broken configuration and bad flags', async () => {
      const general = await runCli(['--help'], { ...env, UPDATE_PAGE_SIZE: 'many' });
      expect(general.code).to.equal(0);
      for (const action of Object.keys(ACTIONS)) {
        expect(general.stdout).to.match(new RegExp(`^ {2}cli\\.js ${action} +\\S`, 'm'));
      }
      expect(general.stdout).to.include('node cli.js <action> --help');

      const broken = await runCli(['update', '--help'], { ...env, UPDATE_PAGE_SIZE: 'many' });
      expect(broken.code).to.equal(0);
      expect(broken.stdout).to.include('Usage: node cli.js update');
      const badFlags = await runCli(['--action', 'nonsense', '--bogus', '--help'], env);
      expect(badFlags.code).to.equal(0);
      expect(badFlags.stdout).to.include('Usage: node cli.js <action> [options]');
      expect(touched).to.deep.equal([]);
      expect(readdirSync(dir)).to.deep.equal([]);
    });

    it('names only variables the README documents', async () => {
      const results = await inTurn(
        Object.keys(ACTIONS).map((action) => () => runCli([action, '--help'], env)),
      );
      const named = new Set(
        results.flatMap((result) =>
          result.stdout
            .split('\n\n')
            .filter((block) => /^(Environment|With) /m.test(block))
            .flatMap((block) => block.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? []),
        ),
      );
      expect(named.size).to.be.greaterThan(30);
      for (const variable of named) {
        expect(README, `README documents ${variable}`).to.match(new RegExp(`\`${variable}\``));
      }
    });
  });

  describe('usage errors', () => {
    it('say what is wrong on stderr and exit 2, in either form', async () => {
      const env = { PATH: process.env.PATH, COUCHDB_URL: 'http://127.0.0.1:9' };
      const cases: Array<[string[], string]> = [
        [[], 'no action given'],
        [['nonsense'], 'unknown action "nonsense"; one of: setup, see, update,'],
        [['--action', 'nonsense'], 'unknown action "nonsense"'],
        [['--action'], '--action needs an action: one of setup,'],
        [['--action', 'see', '--action', 'update'], '--action is given 2 times'],
        [['see'], 'see needs --name <RequestName>'],
        [['--action=see', '--name', ' '], 'see needs --name <RequestName>'],
        [['update', '--name'], '--name needs a value: <RequestName>'],
        [['update', '--bogus'], 'unknown option --bogus'],
        [['setup', '--out', '/tmp'], 'setup does not take --out (backup does)'],
        [['update', '--update-cron', 'x'], 'update does not take --update-cron (schedule does)'],
        [['check', 'extra'], 'check takes no argument "extra"'],
      ];
      const results = await inTurn(
        cases.map(
          ([args]) =>
            () =>
              runCli(args, env),
        ),
      );
      for (const [i, result] of results.entries()) {
        const [args, message] = cases[i] as [string[], string];
        expect(result.code, args.join(' ')).to.equal(2);
        expect(result.stderr, args.join(' ')).to.include(message);
        expect(result.stderr).to.include('Run "node cli.js --help" for the actions');
        expect(result.stdout, args.join(' ')).to.equal('');
      }
    });
  });

  describe('stored data that is not there', () => {
    let couch: TestCouch;
    before(async () => {
      couch = await testCouch();
    });

    it('a missing data folder: one line, exit 1, nothing started or created', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-nodata-'));
      try {
        const dataDir = path.join(dir, 'data');
        const env = { PATH: process.env.PATH, STATS_DATA_DIR: dataDir };
        for (const args of [
          ['see', '--name', 'x'],
          ['--action', 'compact'],
          ['backup', '--out', dir],
        ]) {
          const result = await runCli(args, env);
          expect(result.code, args.join(' ')).to.equal(1);
          expect(messages(result.stdout), args.join(' ')).to.deep.equal([
            `no Stats2 data in ${dataDir}: run "node cli.js --action setup" first, or set STATS_DATA_DIR (or COUCHDB_URL) to where the data is`,
          ]);
          expect(result.stderr).to.equal('');
        }
        expect(existsSync(dataDir)).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a missing database: one line, no stack trace', async () => {
      const names = uniqueDbNames('clinodb');
      const result = await runCli(['see', '--name', 'x'], cliEnv(couch, names));
      expect(result.code).to.equal(1);
      expect(messages(result.stdout)).to.deep.equal([
        `database ${names.requests} does not exist in CouchDB at ${couch.admin.url}: run "node cli.js --action setup" first, or set COUCHDB_URL and REQUESTS_DB / SETTINGS_DB to where the data is`,
      ]);
      expect(result.stdout).not.to.include('"stack"');
    });
  });

  describe('the output rule', () => {
    it('anything but a terminal gets JSON records only: setup on a fresh data folder', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-json-'));
      try {
        const env = { PATH: process.env.PATH, STATS_DATA_DIR: dir };
        const result = await runCli(['setup'], env, 120_000);
        expect(result.code, result.stdout + result.stderr).to.equal(0);
        const lines = messages(result.stdout); // throws on any line that is not JSON
        expect(lines).to.include(
          'requests: created, security set to public read; _design/_designDoc created, _design/validate_write created',
        );
        expect(lines).to.include('design document deployed'); // the log, in the same form
        expect(result.stderr).to.equal('');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a terminal gets human lines only', async function () {
      // util-linux `script` runs the command on a pseudo-terminal.
      if (spawnSync('script', ['--version']).status !== 0) this.skip();
      const couch = await testCouch();
      const names = uniqueDbNames('clitty');
      const env = cliEnv(couch, names, { LOG_LEVEL: 'info' });
      const terminal = spawnSync(
        'script',
        ['-qec', `'${process.execPath}' '${CLI}' setup`, '/dev/null'],
        { env, encoding: 'utf8', timeout: 120_000 },
      );
      expect(terminal.status, terminal.stdout + terminal.stderr).to.equal(0);
      const lines = terminal.stdout.split(/\r?\n/).filter((line) => line !== '');
      expect(lines).to.include(
        `${names.requests}: created, security set to public read; _design/_designDoc created, _design/validate_write created`,
      );
      expect(lines.filter((line) => line.startsWith('{'))).to.deep.equal([]);
      // The log (LOG_LEVEL=info) is there too, as lines for people.
      expect(lines.some((line) => /^info: design document deployed \(/.test(line))).to.equal(true);
    });
  });
});
