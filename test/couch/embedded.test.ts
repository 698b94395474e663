import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedCouch } from '../../couch/embedded.js';

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

const EMBEDDED_MODULE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../couch/embedded.js',
);

describe('embedded CouchDB (pouchdb-server child process)', function () {
  this.timeout(60_000);

  it('keeps data on disk across a restart, with the same admin', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-embedded-'));
    const first = await startEmbeddedCouch({ dir });
    const headers = { authorization: first.authHeader, 'content-type': 'application/json' };
    expect((await fetch(`${first.url}/keep`, { method: 'PUT', headers })).status).to.equal(201);
    expect(
      (await fetch(`${first.url}/keep/doc1`, { method: 'PUT', headers, body: '{"n":1}' })).status,
    ).to.equal(201);
    await first.stop();
    expect(await answers(first.url), 'stopped with its last user').to.equal(false);

    const second = await startEmbeddedCouch({ dir });
    try {
      expect(second.authHeader).to.equal(first.authHeader);
      const doc = (await (
        await fetch(`${second.url}/keep/doc1`, { headers: { authorization: second.authHeader } })
      ).json()) as { n: number };
      expect(doc.n).to.equal(1);
    } finally {
      await second.stop();
    }
  });

  it('is shared by its users and stops with the last of them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-shared-'));
    const first = await startEmbeddedCouch({ dir, inMemory: true });
    const second = await startEmbeddedCouch({ dir, inMemory: true });
    expect(second.url).to.equal(first.url);
    expect(second.pid()).to.equal(first.pid());
    await first.stop();
    expect(await answers(second.url), 'still there for the second user').to.equal(true);
    await second.stop();
    expect(await answers(second.url)).to.equal(false);
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-orphan-'));
    const script = `import { startEmbeddedCouch } from ${JSON.stringify(EMBEDDED_MODULE)};
      const couch = await startEmbeddedCouch({ dir: ${JSON.stringify(dir)}, inMemory: true });
      console.log(couch.url); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      parent.stdout.setEncoding('utf8').once('data', (line: string) => resolve(line.trim()));
      parent.once('exit', () => reject(new Error('parent exited before printing the URL')));
    });
    expect(await answers(url)).to.equal(true);
    parent.kill('SIGKILL');
    expect(
      await waitFor(async () => !(await answers(url)), 10_000),
      'server gone after the parent died',
    ).to.equal(true);
  });

  it('starts again on the same port when its server is killed, and says so', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-restart-'));
    const lines: string[] = [];
    const { createLogger } = await import('../../lib/logger.js');
    const logger = createLogger({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const couch = await startEmbeddedCouch({ dir, logger });
    try {
      const headers = { authorization: couch.authHeader };
      expect((await fetch(`${couch.url}/kept`, { method: 'PUT', headers })).status).to.equal(201);
      // pouchdb-server records a new database in its list of databases after answering.
      const listed = async () =>
        ((await (await fetch(`${couch.url}/_all_dbs`, { headers })).json()) as string[]).includes(
          'kept',
        );
      expect(await waitFor(listed, 10_000)).to.equal(true);
      const killed = couch.pid();
      process.kill(killed, 'SIGKILL');
      expect(
        await waitFor(async () => couch.pid() !== killed && (await answers(couch.url)), 30_000),
        'answers again',
      ).to.equal(true);
      expect((await fetch(`${couch.url}/kept`, { headers })).status).to.equal(200);
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).to.include('the embedded CouchDB stopped; starting it again');
      expect(messages).to.include('the embedded CouchDB answers again');
    } finally {
      await couch.stop();
    }
  });

  it('recovers from a kill -9 of everything: the stale running.json is left alone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-stale-'));
    const script = `import { startEmbeddedCouch } from ${JSON.stringify(EMBEDDED_MODULE)};
      const couch = await startEmbeddedCouch({ dir: ${JSON.stringify(dir)} });
      console.log(couch.pid()); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const serverPid = await new Promise<number>((resolve, reject) => {
      parent.stdout.setEncoding('utf8').once('data', (line: string) => resolve(Number(line)));
      parent.once('exit', () => reject(new Error('parent exited before printing the pid')));
    });
    process.kill(serverPid, 'SIGKILL');
    parent.kill('SIGKILL');
    const stale = JSON.parse(readFileSync(path.join(dir, 'running.json'), 'utf8')) as {
      pid: number;
    };
    expect(stale.pid).to.equal(serverPid);

    const couch = await startEmbeddedCouch({ dir });
    try {
      expect(couch.pid()).not.to.equal(serverPid);
      expect((await fetch(`${couch.url}/_up`)).status).to.equal(200);
    } finally {
      await couch.stop();
    }
  });

  it('ends a stale server process of an older version that still holds the folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-stray-'));
    // What a child of the previous version looked like to ps: pouchdb-server on `<dir>/db/`.
    const stray = spawn(
      process.execPath,
      [
        '-e',
        'setInterval(() => {}, 1000)',
        '/old/build/couch/embedded-child.js',
        '--dir',
        `${dir}/db/`,
      ],
      { stdio: 'ignore' },
    );
    await new Promise((resolve) => stray.once('spawn', resolve));
    const ended = new Promise((resolve) => stray.once('exit', (_code, signal) => resolve(signal)));
    const couch = await startEmbeddedCouch({ dir, inMemory: true });
    try {
      expect(await ended).to.equal('SIGKILL');
      expect(readFileSync(path.join(dir, 'server.log'), 'utf8')).to.include(
        'ending a stale embedded CouchDB that still held this folder',
      );
    } finally {
      await couch.stop();
    }
  });

  it('explains a start failure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-busy-'));
    const running = await startEmbeddedCouch({ dir, inMemory: true });
    try {
      const port = Number(new URL(running.url).port);
      const err = await startEmbeddedCouch({
        dir: path.join(dir, 'other'),
        inMemory: true,
        port,
        startTimeoutMs: 10_000,
      }).then(
        (c) => c.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.equal(
        `the embedded CouchDB cannot listen on port ${port}: another program uses it`,
      );
      expect(readFileSync(path.join(dir, 'other', 'server.log'), 'utf8')).to.include(
        `port ${port} is taken by another program`,
      );
    } finally {
      await running.stop();
    }
  });
});
