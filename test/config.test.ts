import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config.js';
import { ConfigError } from '../lib/errors.js';

describe('configuration from the environment', () => {
  it('defaults to the embedded CouchDB and the real cmsweb hosts', () => {
    const config = loadConfig({});
    expect(config.couch.url).to.equal(undefined);
    expect(config.couch.requestsDb).to.equal('requests');
    expect(config.couch.settingsDb).to.equal('settings');
    expect(config.upstream.cmswebUrl).to.equal('https://cmsweb.cern.ch');
    expect(config.upstream.cmswebProdUrl).to.equal('https://cmsweb-prod.cern.ch:8443');
    expect(config.web).to.include({ host: '127.0.0.1', port: 8001, prefix: '/stats' });
  });

  it('finds the default data folder beside build/, whatever the working directory', () => {
    // This file is build/test/config.test.js: the installation is two folders up.
    const installation = fileURLToPath(new URL('../..', import.meta.url));
    const before = process.cwd();
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'cfg-cwd-'));
    try {
      const fromRoot = loadConfig({}).couch.dataDir;
      process.chdir(elsewhere);
      expect(loadConfig({}).couch.dataDir).to.equal(fromRoot);
      expect(fromRoot).to.equal(path.join(installation, 'data'));
      // A relative STATS_DATA_DIR is the operator's: relative to where the command runs.
      expect(loadConfig({ STATS_DATA_DIR: 'mine' }).couch.dataDir).to.equal(
        path.join(process.cwd(), 'mine'),
      );
    } finally {
      process.chdir(before);
    }
  });

  it('takes credentials out of COUCHDB_URL into a header, and gives the website a URL without them', () => {
    const config = loadConfig({ COUCHDB_URL: 'http://admin:s%40cret@couch.example:5984/' });
    expect(config.couch.url).to.equal('http://couch.example:5984');
    expect(config.couch.authHeader).to.equal(
      `Basic ${Buffer.from('admin:s@cret').toString('base64')}`,
    );
    expect(config.couch.readerUrl).to.equal('http://couch.example:5984');
  });

  it('accepts the original DB_URL + STATS_DB_AUTH_HEADER, and secrets from *_FILE', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'auth'), 'Basic YWRtaW46eA==\n');
    const config = loadConfig({
      DB_URL: 'http://localhost:5984',
      STATS_DB_AUTH_HEADER_FILE: path.join(dir, 'auth'),
    });
    expect(config.couch.url).to.equal('http://localhost:5984');
    expect(config.couch.authHeader).to.equal('Basic YWRtaW46eA==');
  });

  it('takes the grid certificate from USERCRT/USERKEY or the X509_* names', () => {
    expect(loadConfig({ USERCRT: '/c', USERKEY: '/k' }).upstream).to.include({
      certFile: '/c',
      keyFile: '/k',
    });
    expect(loadConfig({ X509_USER_PROXY: '/p' }).upstream).to.include({
      certFile: '/p',
      keyFile: '/p',
    });
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ COUCHDB_URL: 'couch' }, /COUCHDB_URL is not a URL; example/],
    [{ COUCHDB_URL: 'ftp://x' }, /http:\/\/ or https:\/\//],
    [{ CMSWEB_URL: 'http://cmsweb.cern.ch' }, /CMSWEB_URL must be an https:\/\/ URL/],
    [{ STATS_PORT: 'eighty' }, /STATS_PORT must be a whole number/],
    [{ STATS_PORT: '70000' }, /STATS_PORT must be a TCP port/],
    [{ DBS_CONCURRENCY: '0' }, /DBS_CONCURRENCY must be at least 1/],
    [{ STATS_PREFIX: 'stats' }, /STATS_PREFIX must look like \/stats/],
    [{ REQUESTS_DB: 'Bad Name' }, /not a valid CouchDB database name/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [
      { CALLBACK_CLIENT_SECRET_FILE: '/does/not/exist' },
      /CALLBACK_CLIENT_SECRET_FILE=.* cannot be read/,
    ],
  ];
  for (const [env, message] of bad) {
    it(`rejects ${JSON.stringify(env)} with a clear message`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, message);
    });
  }

  it('lets the path prefix be empty for a site at the root', () => {
    expect(loadConfig({ STATS_PREFIX: '' }).web.prefix).to.equal('');
    expect(loadConfig({ STATS_PREFIX: '/' }).web.prefix).to.equal('');
    expect(loadConfig({ STATS_PREFIX: '/pdmv/stats' }).web.prefix).to.equal('/pdmv/stats');
  });
});
