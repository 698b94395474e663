/**
 * `npm run test:cluster`: stats2 on a 3-node Apache CouchDB cluster (q=8, n=3) that loses
 * a node. The same simulated world is first run through on a single node; the cluster
 * must end every step with the single node's database (documents, history entries,
 * settings). The product reaches the cluster through one URL naming node 1 (what a load
 * balancer's address looks like to it); then node 2 stops during an incremental run; then
 * node 1 itself; then node 1 again with COUCHDB_FAILOVER_URLS naming nodes 2 and 3. A
 * website follows the database throughout while its pages are asked without pause.
 */
import { expect } from 'chai';
import type { ServerScope } from 'nano';
import { connect, type CouchTarget } from '../../couch/connection.js';
import type { DatabaseNames } from '../../couch/setup.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { createLogger } from '../../lib/logger.js';
import { startWebsite } from '../../compose.js';
import type { RunningWebsite } from '../../server/http/website.js';
import type { Simulator } from '../../sim/index.js';
import { startTestSimulator } from '../sim/support.js';
import { ApacheCouchDB } from './support/apache-couchdb.js';
import {
  cliEnv,
  comparableDatabase,
  failed,
  indexMatchesDatabase,
  PageWatcher,
  runCli,
  runUpdate,
  startCli,
  type Comparable,
  type CouchEnv,
  type PageAnswer,
  type RunningCli,
} from './support/scenario.js';

const WORLD = { seed: 13, workflows: 2000, active: 200 };
/** Simulated time between two incremental runs. */
const STEP_S = 6 * 3600;
/** How long an incremental run on the cluster is made to take (upstream latency), so that a node can stop and start during it. */
const RUN_TARGET_S = 40;
const NAMES: DatabaseNames = { requests: 'requests', settings: 'settings' };

function totalCalls(sim: Simulator): number {
  return Object.values(sim.counts).reduce((a, b) => a + b, 0);
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function summary(answers: readonly PageAnswer[]): string {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.path.split('?')[0]?.split('/').slice(0, 3).join('/')} ${a.status || a.error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

describe('Apache CouchDB cluster (3 nodes, q=8, n=3) losing a node', function () {
  this.timeout(900_000);
  this.bail(true);

  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  /** The single node's database after the first run and after each incremental one. */
  const reference: Comparable[] = [];
  /** Upstream calls of the single node's incremental runs. */
  const referenceCalls: number[] = [];
  let cluster: ApacheCouchDB;
  let sim: Simulator;
  let named: CouchEnv;
  let admin: ServerScope;
  let site: RunningWebsite;
  let paths: string[];
  const sites: RunningWebsite[] = [];

  before(async () => {
    const single = await ApacheCouchDB.start(1);
    const referenceSim = await startTestSimulator(WORLD);
    try {
      const env = cliEnv(
        { url: single.url(), authHeader: single.authHeader },
        NAMES,
        referenceSim.env,
      );
      const server = connect({ url: single.url(), authHeader: single.authHeader });
      expect((await runCli(['--action', 'setup'], env)).code).to.equal(0);
      expect((await runUpdate(env)).code).to.equal(0);
      reference.push(await comparableDatabase(server, NAMES));
      for (let step = 0; step < 3; step++) {
        referenceSim.world.advance(STEP_S);
        const before = totalCalls(referenceSim);
        const run = await runUpdate(env);
        expect(run.code, run.stderr).to.equal(0);
        referenceCalls.push(totalCalls(referenceSim) - before);
        reference.push(await comparableDatabase(server, NAMES));
      }
    } finally {
      await referenceSim.close();
      // One instance at a time: the test shares two cores with everything else.
      await single.destroy();
    }
    cluster = await ApacheCouchDB.start(3);
    sim = await startTestSimulator(WORLD);
    named = { url: cluster.url(1), authHeader: cluster.authHeader };
    admin = connect({
      url: cluster.url(1),
      authHeader: cluster.authHeader,
      failoverUrls: [cluster.url(2), cluster.url(3)],
    });
  });

  after(async () => {
    for (const running of sites) await running.close();
    await sim?.close();
    await cluster?.destroy();
  });

  /** A website reading the cluster through `reader`, as main.js does. */
  async function website(reader: CouchTarget): Promise<RunningWebsite> {
    const running = await startWebsite({
      reader,
      databases: NAMES,
      host: '127.0.0.1',
      port: 0,
      prefix: '/stats',
      updateToken: undefined,
      logger,
      pollIntervalMs: 200,
    });
    sites.push(running);
    await running.ready;
    return running;
  }

  /** Advances the world and starts an incremental run that takes about RUN_TARGET_S. */
  async function slowIncrementalRun(step: number, couch: CouchEnv): Promise<RunningCli> {
    sim.world.advance(STEP_S);
    const calls = referenceCalls[step] as number;
    // Calls spread over ReqMgr2 and DBS, 8 at once each (the defaults).
    sim.faults.set('*', { latencyMs: Math.ceil((RUN_TARGET_S * 1000 * 8) / calls) });
    const before = totalCalls(sim);
    const run = startCli(['--action', 'update'], cliEnv(couch, NAMES, sim.env));
    await until('the run is under way', () => totalCalls(sim) > before + 20 || !run.running());
    expect(run.running(), 'the run is still going when the node stops').to.equal(true);
    return run;
  }

  it('is set up and filled by a first update run over 2,000 workflows, as the single node is', async () => {
    const env = cliEnv(named, NAMES, sim.env);
    expect((await runCli(['--action', 'setup'], env)).code).to.equal(0);
    const info = (await admin.db.get(NAMES.requests)) as unknown as {
      cluster: { q: number; n: number };
    };
    expect(info.cluster).to.include({ q: 8, n: 3 });
    const first = await runUpdate(env);
    expect(first.code, first.stderr).to.equal(0);
    expect(await comparableDatabase(admin, NAMES)).to.deep.equal(reference[0]);
    expect(Object.keys(reference[0]?.docs ?? {})).to.have.length(WORLD.workflows);

    site = await website({ url: cluster.url(1) });
    const [doc] = (await new WorkflowRepository(admin, NAMES.requests).scan(1).next()).value as {
      _id: string;
      Campaigns?: string[];
    }[];
    const name = encodeURIComponent(doc?._id ?? '');
    paths = [
      '/stats/',
      `/stats/workflow/${name}`,
      `/stats/?campaign=${encodeURIComponent(doc?.Campaigns?.[0] ?? '')}`,
      '/stats/7',
      `/stats/get_json/${name}`,
    ];
  });

  it('goes on through an incremental run while node 2, not the one COUCHDB_URL names, stops and starts again; no page fails', async () => {
    const watcher = new PageWatcher(
      site.origin,
      paths,
      () => cluster.nodesUp(),
      () => cluster.isDown(1),
    );
    const run = await slowIncrementalRun(0, named);
    await cluster.stopNode(2);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await cluster.startNode(2);
    expect(run.running(), 'the run was still going when node 2 came back').to.equal(true);
    const result = await run.done;
    sim.faults.clear();
    expect(result.code, result.stdout + result.stderr).to.equal(0);

    expect(await comparableDatabase(admin, NAMES)).to.deep.equal(reference[1]);
    // The site's index followed the feed through the loss: nothing lost, nothing stale.
    expect(await indexMatchesDatabase(site.index, admin, NAMES, 60_000)).to.deep.equal([]);
    const answers = await watcher.stop();
    expect(
      answers.filter((a) => a.nodesUp === 2).length,
      'pages asked while node 2 was down',
    ).to.be.greaterThan(10);
    expect(answers.filter(failed), summary(answers)).to.deep.equal([]);
  });

  it('when the node COUCHDB_URL names dies, the run fails saying so, the next one completes, and the site serves list pages from its index meanwhile', async () => {
    const watcher = new PageWatcher(
      site.origin,
      paths,
      () => cluster.nodesUp(),
      () => cluster.isDown(1),
    );
    const run = await slowIncrementalRun(1, named);
    await cluster.stopNode(1);
    const result = await run.done;
    sim.faults.clear();
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(result.stdout + result.stderr).to.match(/CouchDB cannot be reached/);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await cluster.startNode(1);
    const backAt = watcher.elapsed();

    const rerun = await runUpdate(cliEnv(named, NAMES, sim.env));
    expect(rerun.code, rerun.stdout + rerun.stderr).to.equal(0);
    expect(await comparableDatabase(admin, NAMES)).to.deep.equal(reference[2]);
    expect(await indexMatchesDatabase(site.index, admin, NAMES, 60_000)).to.deep.equal([]);
    const answers = await watcher.stop();
    const whileDown = answers.filter((a) => a.namedNodeDown);
    const lists = whileDown.filter((a) => a.path === '/stats/' || a.path === '/stats/7');
    const documents = whileDown.filter((a) => a.path.startsWith('/stats/workflow/'));
    expect(lists.length, 'list pages asked while node 1 was down').to.be.greaterThan(5);
    expect(lists.filter(failed), 'list pages come from the index').to.deep.equal([]);
    expect(documents.length).to.be.greaterThan(0);
    // A workflow page reads its document: from the website's document cache when it was
    // asked before (200), else from CouchDB, which is unreachable (5xx). Never anything else.
    expect(
      documents.every((a) => a.status === 200 || a.status >= 500),
      `a workflow page is cached or needs CouchDB: ${summary(documents)}`,
    ).to.equal(true);
    const afterwards = answers.filter((a) => a.at > backAt + 2000);
    expect(afterwards.length).to.be.greaterThan(0);
    expect(afterwards.filter(failed), summary(afterwards)).to.deep.equal([]);
  });

  it('with COUCHDB_FAILOVER_URLS, the run and the site go on when the named node dies; no page fails while two nodes are up', async () => {
    const nodes = { ...named, failoverUrls: [cluster.url(2), cluster.url(3)] };
    const failoverSite = await website({ url: cluster.url(1), failoverUrls: nodes.failoverUrls });
    const watcher = new PageWatcher(
      failoverSite.origin,
      paths,
      () => cluster.nodesUp(),
      () => cluster.isDown(1),
    );
    const run = await slowIncrementalRun(2, nodes);
    await cluster.stopNode(1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await cluster.startNode(1);
    expect(run.running(), 'the run was still going when node 1 came back').to.equal(true);
    const result = await run.done;
    sim.faults.clear();
    expect(result.code, result.stdout + result.stderr).to.equal(0);

    expect(await comparableDatabase(admin, NAMES)).to.deep.equal(reference[3]);
    expect(await indexMatchesDatabase(failoverSite.index, admin, NAMES, 60_000)).to.deep.equal([]);
    const answers = await watcher.stop();
    expect(
      answers.filter((a) => a.namedNodeDown).length,
      'pages asked while node 1 was down',
    ).to.be.greaterThan(10);
    expect(answers.filter(failed), summary(answers)).to.deep.equal([]);
  });
});
