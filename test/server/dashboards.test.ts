/**
 * The campaign dashboards against the real CouchDB (embedded, or COUCHDB_URL): a seeded
 * world whose figures the test computes on its own from the documents
 * (dashboard-world.ts), checked in the JSON, the CSV downloads and the pages.
 */
import { expect } from 'chai';
import type { StoredWorkflow } from '../../workflow/documents.js';
import {
  CAMPAIGN_A,
  CAMPAIGN_B,
  CAMPAIGN_HOSTILE,
  CAMPAIGN_QUIET,
  contributionOf,
  dashboardWorld,
  dayOfIso,
  isoOfDay,
  sumDays,
  totalsOf,
  type Contribution,
  type ExpectedTotals,
} from './dashboard-world.js';
import { readDashboardViews } from '../../server/read-model/dashboard-views.js';
import { NOW } from './fixtures.js';
import { eventually, startTestWebsite, unescapeHtml, type TestWebsite } from './support.js';

const DAY = 86_400;

interface Window {
  name: string;
  from: string | null;
  to: string;
  granularity: 'day' | 'month';
}
type Row = Record<string, unknown>;

function completion(t: ExpectedTotals): number | null {
  return t.expected > 0 ? Math.round((t.producedOfKnown / t.expected) * 10_000) / 100 : null;
}

function lastActivity(days: Map<number, number>): string | null {
  const active = [...days.keys()];
  return active.length ? isoOfDay(Math.max(...active)) : null;
}

/** Production rows as the dashboards must give them: per day, or per (partial) month. */
function productionRows(days: Map<number, number>, window: Window): Row[] {
  const to = dayOfIso(window.to);
  let from: number;
  if (window.from !== null) from = dayOfIso(window.from);
  else if (days.size === 0) return [];
  else from = dayOfIso(`${isoOfDay(Math.min(...days.keys())).slice(0, 7)}-01`);
  const rows: Row[] = [];
  for (let start = from; start <= to;) {
    let end = start;
    if (window.granularity === 'month') {
      while (end + 1 <= to && isoOfDay(end + 1).slice(0, 7) === isoOfDay(start).slice(0, 7)) end++;
    }
    rows.push({
      period: window.granularity === 'day' ? isoOfDay(start) : isoOfDay(start).slice(0, 7),
      events: sumDays(days, start, end),
      cumulative_events: sumDays(days, undefined, end),
    });
    start = end + 1;
  }
  return rows;
}

/** RFC 4180, as the downloads write it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

/** A JSON value as its CSV cell. */
function csvCell(value: unknown): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(' ');
  return String(value);
}

describe('website: campaign dashboards', function () {
  this.timeout(120_000);
  let site: TestWebsite;
  const world = dashboardWorld(NOW);
  let contributions: Contribution[];

  before(async () => {
    site = await startTestWebsite('dashboards', world, {
      tuning: { dashboardMaxStaleMs: 0, dashboardMaxWaitMs: 100_000 },
    });
    contributions = world.map(contributionOf);
  });
  after(() => site.close());

  const json = async <T = Row>(path: string): Promise<T> => {
    const response = await site.get(path);
    expect(response.status, `${path}: ${await response.clone().text()}`).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    return (await response.json()) as T;
  };
  const csv = async (path: string): Promise<string[][]> => {
    const response = await site.get(path);
    expect(response.status, path).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).to.match(
      /^attachment; filename="[\w.-]+\.csv"$/,
    );
    return parseCsv(await response.text());
  };
  const page = async (path: string): Promise<string> => {
    const response = await site.get(path);
    expect(response.status, path).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    return response.text();
  };
  /** CSV = JSON: the header names the row fields, each line holds the same values. */
  const expectCsvMatches = (table: string[][], rows: Row[], columns?: string[]) => {
    const header = table[0] as string[];
    if (columns) expect(header).to.deep.equal(columns);
    if (rows.length > 0) expect(header).to.deep.equal(Object.keys(rows[0] as Row));
    expect(table.slice(1)).to.deep.equal(
      rows.map((row) => header.map((column) => csvCell(row[column]))),
    );
  };

  const campaignNames = () => [...new Set(contributions.flatMap((c) => c.campaigns))].sort();
  const ofCampaign = (name: string) => contributions.filter((c) => c.campaigns.includes(name));

  it('lists every campaign with its workflows, statuses, expected and produced events, in each window', async () => {
    for (const windowName of ['30d', '120d', '1y', 'all']) {
      const answer = await json<{ window: Window; campaigns: Row[] }>(
        `/stats/api/campaigns?window=${windowName}&sort=campaign`,
      );
      const { window } = answer;
      expect(window.name).to.equal(windowName);
      const from = window.from === null ? undefined : dayOfIso(window.from);
      const to = dayOfIso(window.to);
      expect(to).to.be.within(Math.floor(NOW / DAY), Math.floor(Date.now() / 1000 / DAY));
      expect(answer.campaigns.map((row) => row.campaign)).to.deep.equal(campaignNames());
      for (const row of answer.campaigns) {
        const totals = totalsOf(ofCampaign(row.campaign as string));
        const groups = [
          'new',
          'assigned',
          'running',
          'completed',
          'closed_out',
          'announced',
          'aborted',
          'other',
        ];
        expect(row, `${row.campaign} in ${windowName}`).to.deep.equal({
          campaign: row.campaign,
          workflows: totals.workflows,
          ...Object.fromEntries(groups.map((group) => [group, totals.groups[group] ?? 0])),
          expected_events: totals.expected,
          unknown_expected: totals.unknown,
          produced_events: totals.produced,
          completion_percent: completion(totals),
          window_events: sumDays(totals.days, from, to),
          last_activity: lastActivity(totals.days),
        });
      }
    }
    // The world has what the test means to cover.
    const a = totalsOf(ofCampaign(CAMPAIGN_A));
    expect(a.unknown).to.be.above(0);
    expect(a.groups.running).to.be.above(0);
    expect(
      [...a.days.values()].some((change) => change < 0),
      'an invalidation',
    ).to.equal(true);
  });

  it('sorts, orders and filters the campaigns', async () => {
    const byProduced = await json<{ campaigns: Row[] }>(
      '/stats/api/campaigns?window=all&sort=produced_events&order=asc',
    );
    const produced = byProduced.campaigns.map((row) => row.produced_events as number);
    expect(produced).to.deep.equal([...produced].sort((x, y) => x - y));
    const defaults = await json<{ sort: string; order: string; window: Window; campaigns: Row[] }>(
      '/stats/api/campaigns',
    );
    expect([defaults.sort, defaults.order, defaults.window.name]).to.deep.equal([
      'window_events',
      'desc',
      '30d',
    ]);
    const inWindow = defaults.campaigns.map((row) => row.window_events as number);
    expect(inWindow).to.deep.equal([...inWindow].sort((x, y) => y - x));
    const filtered = await json<{ campaigns: Row[] }>('/stats/api/campaigns?q=dashrun3');
    expect(filtered.campaigns.map((row) => row.campaign).sort()).to.deep.equal(
      [CAMPAIGN_B, CAMPAIGN_A].sort(),
    );
  });

  it('gives one campaign per day up to 120 days and per month beyond, with its breakdowns', async () => {
    const contributionsOfA = ofCampaign(CAMPAIGN_A);
    const totals = totalsOf(contributionsOfA);
    for (const windowName of ['30d', '120d', '1y', 'all']) {
      const answer = await json<{
        window: Window;
        summary: Row;
        production: Row[];
        status_groups: Row[];
        pwgs: Row[];
        tiers: Row[];
      }>(`/stats/api/campaign/${encodeURIComponent(CAMPAIGN_A)}?window=${windowName}`);
      expect(answer.window.granularity).to.equal(
        windowName === '30d' || windowName === '120d' ? 'day' : 'month',
      );
      expect(answer.production, windowName).to.deep.equal(
        productionRows(totals.days, answer.window),
      );
      if (windowName === '30d') expect(answer.production).to.have.length(30);
      expect(answer.summary.produced_events).to.equal(totals.produced);
      expect(answer.production.at(-1)?.cumulative_events).to.equal(totals.produced);
    }
    const answer = await json<{ status_groups: Row[]; pwgs: Row[]; tiers: Row[] }>(
      `/stats/api/campaign/${encodeURIComponent(CAMPAIGN_A)}`,
    );
    expect(answer.status_groups.reduce((sum, row) => sum + (row.workflows as number), 0)).to.equal(
      contributionsOfA.length,
    );
    expect(answer.status_groups.find((row) => row.group === 'running')?.workflows).to.equal(
      totals.groups.running,
    );
    const pwgs = new Map<string | null, Contribution[]>();
    for (const c of contributionsOfA) pwgs.set(c.pwg, [...(pwgs.get(c.pwg) ?? []), c]);
    expect(answer.pwgs.map((row) => row.pwg).sort()).to.deep.equal([...pwgs.keys()].sort());
    for (const row of answer.pwgs) {
      const t = totalsOf(pwgs.get(row.pwg as string | null) ?? []);
      expect(row).to.deep.equal({
        pwg: row.pwg,
        workflows: t.workflows,
        expected_events: t.expected,
        unknown_expected: t.unknown,
        produced_events: t.produced,
        completion_percent: completion(t),
      });
    }
    expect(answer.pwgs.map((row) => row.pwg)).to.include.members(['HIG', 'SMP', null]);
    expect(answer.tiers).to.deep.equal([
      {
        tier: 'MINIAODSIM',
        workflows: totals.workflows,
        expected_events: totals.expected,
        unknown_expected: totals.unknown,
        produced_events: totals.produced,
        completion_percent: completion(totals),
      },
    ]);
  });

  it('projects a completion date from the recent rate only when that rate is positive', async () => {
    const active = await json<{ window: Window; projection: Row }>(
      `/stats/api/campaign/${encodeURIComponent(CAMPAIGN_A)}`,
    );
    const today = dayOfIso(active.window.to);
    const ofA = ofCampaign(CAMPAIGN_A);
    const recent = sumDays(totalsOf(ofA).days, today - 13, today);
    const remaining = ofA
      .filter((c) => c.expected !== undefined && c.group !== 'aborted')
      .reduce((sum, c) => sum + Math.max(0, (c.expected as number) - c.produced), 0);
    expect(recent).to.be.above(0);
    expect(remaining).to.be.above(0);
    expect(active.projection).to.include({
      rate_days: 14,
      recent_events: recent,
      remaining_events: remaining,
      completion_date: isoOfDay(today + Math.ceil(remaining / (recent / 14))),
    });
    const quiet = await json<{ projection: Row }>(`/stats/api/campaign/${CAMPAIGN_QUIET}`);
    expect(quiet.projection).to.include({
      recent_events: 0,
      remaining_events: 96_000,
      completion_date: null,
    });
    const quietPage = await page(`/stats/campaign/${CAMPAIGN_QUIET}`);
    expect(quietPage).to.include('No projection: the events produced in the last 14 days');
    const activePage = unescapeHtml(
      await page(`/stats/campaign/${encodeURIComponent(CAMPAIGN_A)}`),
    );
    expect(activePage).to.include(`completes around <b>${active.projection.completion_date}</b>`);
  });

  it('has a world whose producing workflows have 0, 1, 2 and 3 campaigns, some losing events', () => {
    // What the view's one row per campaign set must be read right for (the checks below).
    for (const k of [0, 1, 2, 3]) {
      const producing = contributions.filter((c) => c.campaigns.length === k && c.days.size > 0);
      expect(producing.length, `${k} campaigns`).to.be.above(1);
      const losing = producing.filter((c) => [...c.days.values()].some((change) => change < 0));
      expect(losing.length, `${k} campaigns, losing events`).to.be.above(0);
    }
  });

  it('sums production across campaigns counting each workflow once, lists stuck workflows and PWGs', async () => {
    const all = totalsOf(contributions);
    for (const stuckDays of [3, 7, 30]) {
      const answer = await json<{
        window: Window;
        summary: Row;
        production: Row[];
        most_active: Row[];
        stuck: { days: number; counted_to: string; count: number; workflows: Row[] };
        pwgs: Row[];
      }>(`/stats/api/dashboard?window=120d&stuck_days=${stuckDays}`);
      // Quiet days are counted to the start of the minute the answer was made in.
      const countedTo = Date.parse(answer.stuck.counted_to) / 1000;
      expect(countedTo % 60).to.equal(0);
      expect(Date.now() / 1000 - countedTo).to.be.within(0, 60 + 5);
      const to = dayOfIso(answer.window.to);
      expect(answer.production).to.deep.equal(productionRows(all.days, answer.window));
      const stuck = contributions
        .filter((c) => c.quietSince !== undefined && c.quietSince <= countedTo - stuckDays * DAY)
        .sort((x, y) => (x.quietSince as number) - (y.quietSince as number));
      expect(stuck.length, 'some stuck').to.be.above(0);
      expect(answer.stuck.days).to.equal(stuckDays);
      expect(
        answer.stuck.workflows.map((row) => [
          row.workflow,
          row.status,
          row.campaigns,
          row.pwg,
          row.produced_events,
          row.expected_events,
        ]),
      ).to.deep.equal(
        stuck.map((c) => [
          c.name,
          c.status,
          c.campaigns,
          c.pwg,
          c.produced,
          c.expected ?? null,
        ]),
      );
      expect(answer.summary).to.deep.equal({
        campaigns: campaignNames().length,
        workflows: all.workflows,
        expected_events: all.expected,
        unknown_expected: all.unknown,
        produced_events: all.produced,
        completion_percent: completion(all),
        running: all.groups.running,
        stuck: stuck.length,
        window_events: sumDays(all.days, to - 119, to),
      });
      const activeCampaigns = campaignNames()
        .map((name) => ({ name, events: sumDays(totalsOf(ofCampaign(name)).days, to - 119, to) }))
        .filter((c) => c.events > 0)
        .sort((x, y) => y.events - x.events || (x.name < y.name ? -1 : 1));
      expect(answer.most_active.map((row) => [row.campaign, row.window_events])).to.deep.equal(
        activeCampaigns.map((c) => [c.name, c.events]),
      );
      for (const row of answer.pwgs) {
        const ofPwg = contributions.filter((c) => c.pwg === row.pwg);
        const t = totalsOf(ofPwg);
        expect(row, String(row.pwg)).to.deep.equal({
          pwg: row.pwg,
          workflows: t.workflows,
          expected_events: t.expected,
          unknown_expected: t.unknown,
          produced_events: t.produced,
          completion_percent: completion(t),
          running: t.groups.running ?? 0,
          stuck: stuck.filter((c) => c.pwg === row.pwg).length,
          window_events: sumDays(t.days, to - 119, to),
        });
      }
      expect(answer.pwgs.length).to.equal(new Set(contributions.map((c) => c.pwg)).size);
    }
  });

  it('gives each table as CSV with the same rows as the JSON', async () => {
    const q = 'window=1y&sort=campaign';
    const campaigns = await json<{ campaigns: Row[] }>(`/stats/api/campaigns?${q}`);
    expectCsvMatches(await csv(`/stats/api/campaigns.csv?${q}`), campaigns.campaigns);
    const path = `/stats/api/campaign/${encodeURIComponent(CAMPAIGN_B)}`;
    const campaign = await json<Record<string, Row[]>>(`${path}?window=all`);
    expectCsvMatches(await csv(`${path}/production.csv?window=all`), campaign.production as Row[]);
    expectCsvMatches(await csv(`${path}/status.csv?window=all`), campaign.status_groups as Row[]);
    expectCsvMatches(await csv(`${path}/pwg.csv?window=all`), campaign.pwgs as Row[]);
    expectCsvMatches(await csv(`${path}/tiers.csv?window=all`), campaign.tiers as Row[]);
    const dashboard = await json<{
      production: Row[];
      most_active: Row[];
      stuck: { workflows: Row[] };
      pwgs: Row[];
    }>('/stats/api/dashboard?window=30d&stuck_days=3');
    expectCsvMatches(
      await csv('/stats/api/dashboard/production.csv?window=30d&stuck_days=3'),
      dashboard.production,
    );
    expectCsvMatches(
      await csv('/stats/api/dashboard/campaigns.csv?window=30d&stuck_days=3'),
      dashboard.most_active,
    );
    expectCsvMatches(
      await csv('/stats/api/dashboard/stuck.csv?window=30d&stuck_days=3'),
      dashboard.stuck.workflows,
    );
    expectCsvMatches(
      await csv('/stats/api/dashboard/pwg.csv?window=30d&stuck_days=3'),
      dashboard.pwgs,
    );
    // An empty table still has its header.
    expect(await csv('/stats/api/campaigns.csv?q=no-such-campaign')).to.deep.equal([
      (await csv(`/stats/api/campaigns.csv?${q}`))[0],
    ]);
  });

  it('renders the pages with charts, links, the numbers and the definitions, escaping campaign names', async () => {
    const list = await page('/stats/campaigns?window=all');
    expect(list).to.include('How these numbers are made');
    expect(list).to.include(`href="/stats/campaign/${encodeURIComponent(CAMPAIGN_A)}?window=all"`);
    expect(list).to.include(`href="/stats/?campaign=${CAMPAIGN_A}"`);
    expect(list).to.include(
      `href="/stats/api/campaigns.csv?window=all&amp;sort=window_events&amp;order=desc"`,
    );
    expect(list).not.to.include(CAMPAIGN_HOSTILE);
    expect(list).to.include('Dash&lt;b&gt;&quot;bold&quot;&lt;/b&gt;&amp;co');
    const produced = totalsOf(ofCampaign(CAMPAIGN_A)).produced.toLocaleString('en-US');
    expect(list).to.include(`<td>${produced}</td>`);
    expect(list).to.match(/<a href="[^"]*" aria-current="page">all<\/a>/);

    const campaign = await page(`/stats/campaign/${encodeURIComponent(CAMPAIGN_A)}?window=30d`);
    expect(campaign.match(/<svg class="chart/g)).to.have.length(2);
    expect(campaign).to.include(
      '<title>DashRun3Summer24GS: produced events: events over time</title>',
    );
    expect(campaign).to.match(
      /<rect class="bar[^"]*"[^>]*><title>\d{4}-\d\d-\d\d: [\d,-]+ events<\/title>/,
    );
    expect(campaign).to.include('expected ');
    expect(campaign).to.include('How these numbers are made');

    const dashboard = await page('/stats/dashboard?window=1y&stuck_days=3');
    expect(dashboard.match(/<svg class="chart/g)).to.have.length(2);
    const stuck = await json<{ stuck: { workflows: Row[] } }>(
      '/stats/api/dashboard?window=1y&stuck_days=3',
    );
    for (const row of stuck.stuck.workflows.slice(0, 5))
      expect(dashboard).to.include(
        `href="/stats/workflow/${encodeURIComponent(row.workflow as string)}"`,
      );
    expect(await page('/stats/campaigns')).to.include('<nav class="site-nav">');
  });

  it('answers 404 for an unknown campaign or table, 400 for bad parameters, and describes itself in OpenAPI', async () => {
    for (const [path, status] of [
      ['/stats/campaign/NoSuchCampaign', 404],
      ['/stats/api/campaign/NoSuchCampaign', 404],
      [`/stats/api/campaign/${CAMPAIGN_A}/other.csv`, 404],
      ['/stats/api/dashboard/other.csv', 404],
      ['/stats/campaigns?window=2d', 400],
      ['/stats/api/campaigns?sort=nope', 400],
      ['/stats/api/campaigns?order=up', 400],
      ['/stats/api/campaigns?window=30d&window=all', 400],
      ['/stats/api/dashboard?stuck_days=0', 400],
      ['/stats/api/dashboard?stuck_days=366', 400],
      ['/stats/api/dashboard?stuck_days=1e3', 400],
      ['/stats/api/campaigns?q[]=x', 400],
      [`/stats/api/campaign/${'x'.repeat(501)}`, 400],
    ] as const) {
      const response = await site.get(path);
      expect(response.status, path).to.equal(status);
      if (path.includes('/api/')) expect((await response.json()) as Row).to.have.property('error');
    }
    const doc = await json<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>('/stats/api/openapi.json');
    expect(Object.keys(doc.paths)).to.include.members([
      '/stats/api/campaigns',
      '/stats/api/campaigns.csv',
      '/stats/api/campaign/{name}',
      '/stats/api/campaign/{name}/{table}.csv',
      '/stats/api/dashboard',
      '/stats/api/dashboard/{table}.csv',
    ]);
    expect(doc.components.schemas).to.include.keys(
      'CampaignsAnswer',
      'CampaignAnswer',
      'DashboardAnswer',
    );
  });

  it('takes a new snapshot after each change of the database, and shares it until then', async () => {
    const path = `/stats/api/campaign/${encodeURIComponent(CAMPAIGN_B)}?window=30d`;
    const before = await json<{ as_of: Row; summary: Row }>(path);
    const again = await json<{ as_of: Row }>(path);
    expect(again.as_of).to.deep.equal(before.as_of);
    // Compressed for clients that accept it (fetch asks for gzip and unpacks it).
    const compressed = await site.get(path);
    expect(compressed.headers.get('content-encoding')).to.equal('gzip');
    expect(((await compressed.json()) as { as_of: Row }).as_of).to.deep.equal(before.as_of);
    const plain = await site.get(path, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).to.equal(null);
    const versionBefore = site.index.version;
    const added: StoredWorkflow = {
      _id: 'dash_added_250101_000000_7777',
      RequestName: 'dash_added_250101_000000_7777',
      Campaigns: [CAMPAIGN_B],
      OutputDatasets: ['/Added/Camp-v1/MINIAODSIM'],
      TotalEvents: 5000,
      RequestTransition: [{ Status: 'running-open', UpdateTime: NOW - DAY }],
      EventNumberHistory: [
        {
          Time: Math.floor(Date.now() / 1000) - 60,
          Datasets: { '/Added/Camp-v1/MINIAODSIM': { Type: 'PRODUCTION', Events: 1234, Size: 1 } },
        },
      ],
    };
    expect((await site.workflows.writeMany([added]))[0]?.ok).to.equal(true);
    await eventually(async () => expect(site.index.version).to.be.above(versionBefore));
    const after = await json<{ as_of: Row; summary: Row }>(path);
    expect(after.as_of.update_seq).to.not.deep.equal(before.as_of.update_seq);
    expect(after.summary.workflows).to.equal((before.summary.workflows as number) + 1);
    expect(after.summary.produced_events).to.equal(
      (before.summary.produced_events as number) + 1234,
    );
    expect(after.summary.window_events).to.equal((before.summary.window_events as number) + 1234);
  });
});

describe('website: campaign dashboards over the design document of another version', function () {
  this.timeout(120_000);
  let site: TestWebsite;
  before(async () => {
    site = await startTestWebsite('dashboards-other-version', dashboardWorld(NOW, 10), {
      tuning: { dashboardMaxStaleMs: 0, dashboardMaxWaitMs: 60_000 },
    });
  });
  after(() => site.close());

  it('answers 502, not numbers read from rows of another shape, and the logged error says to run setup', async () => {
    // The design document of the version before this one: one row per campaign plus one
    // with campaign null, in a view named `progress`.
    const db = site.workflows.db;
    const live = await db.get('_design/dashboards');
    await db.insert({
      ...live,
      views: {
        progress: {
          map: "function (doc) { emit([null, 2025, 1, null], [1]); emit(['Old', 2025, 1, null], [1]); }",
          reduce: '_sum',
        },
      },
    } as unknown as StoredWorkflow);
    for (const path of ['/stats/api/dashboard', '/stats/api/campaigns', '/stats/dashboard']) {
      const response = await site.get(path);
      expect(response.status, path).to.equal(502);
      if (path.includes('/api/'))
        expect(((await response.json()) as Row).error, path).to.equal('COUCH_NOT_FOUND');
    }
    // What the website logs says what to do.
    const failure = await readDashboardViews(site.workflows).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String(failure)).to.include('dashboards/production').and.include('--action setup');
  });
});
