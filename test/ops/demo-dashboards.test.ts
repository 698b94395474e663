/**
 * The demo moves the campaign dashboards (issue 14): its simulated world, advanced one
 * tick at a time as `--action demo` advances it (the demo's seed and simulated seconds
 * per tick) and brought in by an update run after each tick, gives campaigns more
 * produced events at every tick. The dashboards' JSON shows them: per campaign and in
 * total from the website's index, and in the production the CouchDB view adds up, each
 * equal to what the test computes from the stored documents itself.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../lib/config.js';
import { runSucceeded, runUpdate } from '../../updater/run.js';
import { createUpdaterUpstream } from '../../updater/upstream/index.js';
import { startTestSimulator } from '../sim/support.js';
import { eventually, startTestWebsite, type TestWebsite } from '../server/support.js';
import type { Simulator } from '../../sim/index.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { contributionOf } from '../server/dashboard-world.js';

const silent = pino({ level: 'silent' });
const TICKS = 4;

interface Production {
  total: number;
  byCampaign: Map<string, number>;
}

interface CampaignRow {
  campaign: string;
  produced_events: number;
}

describe('the demo moves the campaign dashboards', function () {
  this.timeout(600_000);
  const demo = loadConfig({}).demo;
  let sim: Simulator;
  let site: TestWebsite;

  before(async () => {
    sim = await startTestSimulator({ seed: demo.seed, workflows: 300, active: 60 });
    site = await startTestWebsite('demo-dashboards', []);
  });
  after(async () => {
    await site?.close();
    await sim?.close();
  });

  async function update(): Promise<void> {
    const upstream = createUpdaterUpstream(loadConfig(sim.env).upstream, silent);
    const versionBefore = site.index.version;
    try {
      const summary = await runUpdate(
        { workflows: site.workflows, settings: site.settings, upstream, logger: silent },
        { now: () => sim.world.now() },
      );
      expect(runSucceeded(summary), JSON.stringify(summary)).to.equal(true);
    } finally {
      await upstream.close();
    }
    await eventually(async () => expect(site.index.version).to.be.above(versionBefore));
  }

  /** Produced events per campaign and in all, computed from the stored documents. */
  async function storedProduction(): Promise<Production> {
    const byCampaign = new Map<string, number>();
    let total = 0;
    for await (const page of site.workflows.scan(500))
      for (const doc of page as StoredWorkflow[]) {
        const { produced } = contributionOf(doc);
        total += produced;
        for (const campaign of new Set(doc.Campaigns ?? []))
          byCampaign.set(campaign, (byCampaign.get(campaign) ?? 0) + produced);
      }
    return { total, byCampaign };
  }

  async function json<T>(path: string): Promise<T> {
    const response = await site.get(path);
    expect(response.status, path).to.equal(200);
    return (await response.json()) as T;
  }

  /** What the dashboards show, once their snapshot has caught up with the database. */
  async function shownProduction(): Promise<Production> {
    const stored = await storedProduction();
    let shown: Production | undefined;
    await eventually(async () => {
      const campaigns = await json<{ campaigns: CampaignRow[] }>('/stats/api/campaigns?window=all');
      const dashboard = await json<{
        summary: { produced_events: number; window_events: number };
      }>('/stats/api/dashboard?window=all');
      const byCampaign = new Map(
        campaigns.campaigns.map((row) => [row.campaign, row.produced_events]),
      );
      expect(byCampaign, 'per campaign (index)').to.deep.equal(stored.byCampaign);
      expect(dashboard.summary.produced_events, 'in all (index)').to.equal(stored.total);
      expect(dashboard.summary.window_events, 'production (view)').to.equal(stored.total);
      shown = { total: dashboard.summary.window_events, byCampaign };
    }, 30_000);
    return shown as Production;
  }

  it(`shows campaigns producing events at each of ${TICKS} ticks of ${demo.simulatedSecondsPerTick} simulated seconds`, async () => {
    await update();
    const first = await shownProduction();
    let before = first;
    expect(before.total, 'the first update run finds produced events').to.be.above(0);
    for (let tick = 1; tick <= TICKS; tick++) {
      sim.world.advance(demo.simulatedSecondsPerTick);
      await update();
      const after = await shownProduction();
      const grown = [...after.byCampaign].filter(
        ([campaign, events]) => events > (before.byCampaign.get(campaign) ?? 0),
      );
      // A workflow aborted in the tick takes its events away (invalidated outputs count 0).
      expect(grown.length, `tick ${tick}: campaigns that produced events`).to.be.above(0);
      before = after;
    }
    expect(before.total, 'produced events after the ticks').to.be.above(first.total);
  });
});
