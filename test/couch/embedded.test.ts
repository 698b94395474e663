import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRunningEmbeddedCouch, startEmbeddedCouch } from '../../couch/embedded.js';

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
    expect(await findRunningEmbeddedCouch(dir)).to.deep.equal({
      url: first.url,
      authHeader: first.authHeader,
    });
    await first.stop();
    expect(await answers(first.url)).to.equal(false);
    expect(await findRunningEmbeddedCouch(dir)).to.equal(undefined);

    const second = await startEmbeddedCouch({ dir });
    try {
      expect(second.authHeader).to.equal(first.authHeader);
      const doc = (await (await fetch(`${second.url}/keep/doc1`)).json()) as { n: number };
      expect(doc.n).to.equal(1);
    } finally {
      await second.stop();
    }
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-orphan-'));
    const embedded = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../couch/embedded.js',
    );
    const script = `import { startEmbeddedCouch } from ${JSON.stringify(embedded)};
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

  it('explains a start failure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-busy-'));
    const running = await startEmbeddedCouch({ dir, inMemory: true });
    try {
      const port = Number(new URL(running.url).port);
      const err = await startEmbeddedCouch({
        dir: path.join(dir, 'other'),
        inMemory: true,
        port,
        startTimeoutMs: 2000,
      }).then(
        (c) => c.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.match(/embedded CouchDB/);
    } finally {
      await running.stop();
    }
  });
});
