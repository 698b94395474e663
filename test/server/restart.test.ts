/**
 * Restarting the website over a few thousand workflows: the second start answers pages
 * from the index snapshot of the first before it has caught up with the database, shows
 * what changed while it was down once it has, and a damaged or foreign snapshot is never
 * used. The catch-up is held back by a gate on the real CouchDB source, so that "before"
 * is a fact, not a race.
 */
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { SettingsRepository } from '../../couch/settings.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { createLogger } from '../../lib/logger.js';
import { composeWebsite } from '../../compose-website.js';
import { snapshotPath } from '../../server/read-model/index-snapshot.js';
import { WorkflowIndex } from '../../server/read-model/workflow-index.js';
import {
  couchWorkflowSource,
  type WorkflowSource,
} from '../../server/read-model/workflow-source.js';
import { setupDatabases, type DatabaseNames } from '../../couch/setup.js';
import { setUpTestDatabases, type TestCouch } from '../support/couch.js';
import { fillerWorkflows, fixtureWorkflows, NOW, STEPCHAIN, TASKCHAIN } from './fixtures.js';
import { blockOf, namesOn } from './support.js';

const ADDED = 'pdmvserv_task_TOP-Run3Summer23GS-00077__v1_T_251001_101010_4242';

/** A gate that holds calls back until opened. */
class Gate {
  private opened = true;
  private waiting: Array<() => void> = [];

  close(): void {
    this.opened = false;
  }

  open(): void {
    this.opened = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  pass(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

interface Site {
  origin: string;
  index: WorkflowIndex;
  logs: Array<{ level: number; msg: string }>;
  get(path: string): Promise<Response>;
  close(): Promise<void>;
}

describe('website: restarts from its index snapshot', function () {
  this.timeout(180_000);
  let couch: TestCouch;
  let workflows: WorkflowRepository;
  let settings: SettingsRepository;
  let names: DatabaseNames;
  let database: string;
  let dir: string;
  const docs = [...fixtureWorkflows(), ...fillerWorkflows(3000)];

  before(async () => {
    ({ couch, names } = await setUpTestDatabases('restart'));
    workflows = new WorkflowRepository(couch.server, names.requests);
    settings = new SettingsRepository(couch.anonymous, names.settings);
    database = names.requests;
    for (const outcome of await workflows.writeMany(docs)) expect(outcome.ok).to.equal(true);
    dir = await mkdtemp(path.join(os.tmpdir(), 'stats2-snapshot-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** The website over the test database, its feed and checks passing through `gate`. */
  async function startSite(
    gate = new Gate(),
    tamper?: (source: WorkflowSource) => WorkflowSource,
  ): Promise<Site> {
    const logs: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim() !== '') logs.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    const logger = createLogger({ level: 'info' }, sink);
    const real = couchWorkflowSource(
      new WorkflowRepository(couch.anonymous, database),
      couch.admin.url,
    );
    const gated: WorkflowSource = {
      ...real,
      location: real.location,
      changesSince: async (since, limit) => {
        await gate.pass();
        return real.changesSince(since, limit);
      },
      revisions: (pageSize) => real.revisions(pageSize),
    };
    const source = tamper ? tamper(gated) : gated;
    const index = new WorkflowIndex({ source, logger, pollIntervalMs: 100, snapshotDir: dir });
    void index.start();
    const website = composeWebsite({
      prefix: '/stats',
      updateToken: undefined,
      workflows: new WorkflowRepository(couch.anonymous, database),
      settings,
      index,
      logger,
    });
    const server = http.createServer(website.listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      origin,
      index,
      logs,
      get: (p) => fetch(`${origin}${p}`, { redirect: 'manual' }),
      async close() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await index.stop();
      },
    };
  }

  const file = () => snapshotPath(dir, database);
  const priorityOf = async (site: Site, name: string) =>
    /<dt>Priority<\/dt><dd>([\d,]+)<\/dd>/.exec(
      blockOf(await (await site.get(`/stats/?workflow_name=${name}`)).text(), name),
    )?.[1];

  it('a first start reads the database and writes a snapshot', async () => {
    const site = await startSite();
    try {
      await site.index.whenReady();
      expect(site.index.status()).to.include({ state: 'ready', loadedFrom: 'database' });
      await site.index.saveSnapshot();
      expect((await readFile(file())).length).to.be.above(50_000);
      expect(site.logs.some((l) => l.msg === 'index snapshot written')).to.equal(true);
    } finally {
      await site.close();
    }
  });

  it('the next start answers from the snapshot before catching up, then shows what changed while it was down', async () => {
    const taskchain = (await workflows.get(TASKCHAIN)) as StoredWorkflow;
    await workflows.writeMany([
      { ...taskchain, RequestPriority: 424242 },
      {
        _id: ADDED,
        RequestName: ADDED,
        RequestType: 'StepChain',
        Campaigns: ['Run3Summer23GS'],
        TotalEvents: 10,
        LastUpdate: NOW,
      },
    ]);
    expect((await workflows.deleteMany([STEPCHAIN]))[0]?.ok).to.equal(true);

    const gate = new Gate();
    gate.close();
    const site = await startSite(gate);
    try {
      await site.index.whenServing();
      expect(site.index.status()).to.include({ state: 'serving', loadedFrom: 'snapshot' });
      // From the snapshot: the old priority, the deleted workflow, not the new one.
      expect(await priorityOf(site, TASKCHAIN)).to.equal('85,000');
      const list = await site.get('/stats/');
      expect(list.status).to.equal(200);
      expect(namesOn(await list.text())).to.include(STEPCHAIN);
      expect((await site.get('/stats/?campaign=Summer24GS')).status).to.equal(200);
      // Not every route is right yet: the load balancer is told to wait.
      const starting = await site.get('/healthz');
      expect(starting.status).to.equal(503);
      expect(await starting.json()).to.have.property('status', 'starting');

      gate.open();
      await site.index.whenReady();
      expect(await priorityOf(site, TASKCHAIN)).to.equal('424,242');
      const names = namesOn(await (await site.get('/stats/?campaign=Run3Summer23GS')).text());
      expect(names).to.deep.equal([ADDED]);
      expect(site.index.find(STEPCHAIN)).to.equal(undefined);
      expect(site.index.size).to.equal(docs.length);
      const ok = await site.get('/healthz');
      expect(ok.status).to.equal(200);
      expect(await ok.json()).to.deep.include({ status: 'ok' });
      // Quiet: the not-ready answers were not logged as errors; the state change was, once.
      expect(site.logs.filter((l) => l.level >= 50)).to.deep.equal([]);
      expect(site.logs.filter((l) => l.msg === 'health: starting')).to.have.length(1);
    } finally {
      await site.close();
    }
  });

  it('what the feed does not tell (e.g. a purged document) is found by the check against every revision', async () => {
    // A feed that says nothing happened: only the check can tell.
    const silent = (source: WorkflowSource): WorkflowSource => ({
      ...source,
      changesSince: async (since) => ({ changes: [], lastSequence: since }),
    });
    const before = await startSite();
    await before.index.whenReady();
    await before.index.saveSnapshot();
    await before.close();
    const taskchain = (await workflows.get(TASKCHAIN)) as StoredWorkflow;
    await workflows.writeMany([{ ...taskchain, RequestPriority: 515151 }]);
    await workflows.deleteMany([ADDED]);
    const site = await startSite(new Gate(), silent);
    try {
      await site.index.whenReady();
      expect(site.index.status().loadedFrom).to.equal('snapshot');
      expect(await priorityOf(site, TASKCHAIN)).to.equal('515,151');
      expect(site.index.find(ADDED)).to.equal(undefined);
      expect(site.logs.find((l) => l.msg.startsWith('caught up and checked'))).to.deep.include({
        fixed: 2,
      });
    } finally {
      await site.close();
    }
  });

  it('a damaged snapshot is not used: everything is read again, and a good one written', async () => {
    const bytes = await readFile(file());
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] as number) ^ 0xff;
    await writeFile(file(), bytes);
    const site = await startSite();
    try {
      await site.index.whenReady();
      expect(site.index.status().loadedFrom).to.equal('database');
      expect(site.logs.some((l) => /checksum/.test(l.msg))).to.equal(true);
      expect(await priorityOf(site, TASKCHAIN)).to.equal('515,151');
      await site.index.saveSnapshot();
    } finally {
      await site.close();
    }
    const again = await startSite();
    try {
      await again.index.whenReady();
      expect(again.index.status().loadedFrom).to.equal('snapshot');
    } finally {
      await again.close();
    }
  });

  it('a truncated snapshot, or one of another database, is not used', async () => {
    const good = await readFile(file());
    await writeFile(file(), good.subarray(0, good.length - 100));
    const truncated = await startSite();
    try {
      await truncated.index.whenReady();
      expect(truncated.index.status().loadedFrom).to.equal('database');
    } finally {
      await truncated.close();
    }

    // Another database's snapshot under this database's name: the header says whose it is.
    const other = await setUpTestDatabases('restart_other');
    const otherWorkflows = new WorkflowRepository(other.couch.server, other.names.requests);
    await otherWorkflows.writeMany(fillerWorkflows(50));
    const otherSite = await startSiteOn(other.names.requests);
    await otherSite.index.whenReady();
    await otherSite.index.saveSnapshot();
    await otherSite.close();
    await copyFile(snapshotPath(dir, other.names.requests), file());
    const foreign = await startSite();
    try {
      await foreign.index.whenReady();
      expect(foreign.index.status().loadedFrom).to.equal('database');
      expect(foreign.index.size).to.equal(await workflows.count());
      expect(foreign.logs.some((l) => /is a copy of/.test(l.msg))).to.equal(true);
    } finally {
      await foreign.close();
    }
  });

  it('a snapshot of a database that was deleted and created again with other documents is not used', async () => {
    const site = await startSite();
    await site.index.whenReady();
    await site.index.saveSnapshot();
    await site.close();
    await couch.server.db.destroy(database);
    await setupDatabases(couch.server, names);
    const replacement = fillerWorkflows(120).map((doc) => ({
      ...doc,
      _id: `re_${doc._id}`,
      RequestName: `re_${doc._id}`,
    }));
    await workflows.writeMany(replacement);
    const restarted = await startSite();
    try {
      await restarted.index.whenReady();
      expect(restarted.index.status().loadedFrom).to.equal('database');
      expect(restarted.index.size).to.equal(replacement.length);
      expect(restarted.index.find(TASKCHAIN)).to.equal(undefined);
    } finally {
      await restarted.close();
    }
  });

  it('two sites sharing the snapshot folder each become ready on their own', async () => {
    const [a, b] = await Promise.all([startSite(), startSite()]);
    try {
      await Promise.all([a.index.whenReady(), b.index.whenReady()]);
      await Promise.all([a.index.saveSnapshot(), b.index.saveSnapshot()]);
      for (const site of [a, b]) {
        expect((await site.get('/healthz')).status).to.equal(200);
        expect((await site.get('/stats/')).status).to.equal(200);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const after = await startSite();
    try {
      await after.index.whenReady();
      expect(after.index.status().loadedFrom).to.equal('snapshot');
    } finally {
      await after.close();
    }
  });

  async function startSiteOn(otherDatabase: string): Promise<Site> {
    const saved = database;
    database = otherDatabase;
    try {
      return await startSite();
    } finally {
      database = saved;
    }
  }
});
