/**
 * Everything the campaign dashboards show, at one update sequence: the views' daily
 * production (dashboard-views.ts) beside per-workflow counts from the website's index
 * (statuses, expected and produced events, PWG, tier: the index holds them already, so
 * counting them here costs no database read). Built once per change of the database and
 * shared by every page, JSON and CSV answer until the next.
 */
import { systemClock, type Clock } from '../../lib/clock.js';
import type { DashboardViewData, RunningRow } from './dashboard-views.js';
import { DaySeries } from './day-series.js';
import { STATUS_GROUPS, type StatusGroup } from './status-groups.js';
import type { Sequence } from './workflow-source.js';
import type { WorkflowIndex } from './workflow-index.js';
import { progressOf, type WorkflowProgress } from './workflow-progress.js';

/** Counts over a set of workflows. */
export interface Tally {
  workflows: number;
  byGroup: Record<StatusGroup, number>;
  /** Sum of the known TotalEvents. */
  expected: number;
  /** Workflows whose TotalEvents is unknown (−1 or missing). */
  unknownExpected: number;
  produced: number;
  /** Produced by the workflows whose expected events are known (what completion compares). */
  producedOfKnown: number;
  /** Σ max(0, expected − produced) of workflows with known expected events that are not aborted/rejected/failed. */
  remaining: number;
}

export function emptyTally(): Tally {
  return {
    workflows: 0,
    byGroup: Object.fromEntries(STATUS_GROUPS.map((group) => [group, 0])) as Record<
      StatusGroup,
      number
    >,
    expected: 0,
    unknownExpected: 0,
    produced: 0,
    producedOfKnown: 0,
    remaining: 0,
  };
}

function count(tally: Tally, workflow: WorkflowProgress): void {
  tally.workflows++;
  tally.byGroup[workflow.group]++;
  tally.produced += workflow.produced;
  if (workflow.expected === undefined) {
    tally.unknownExpected++;
    return;
  }
  tally.expected += workflow.expected;
  tally.producedOfKnown += workflow.produced;
  if (workflow.group !== 'aborted')
    tally.remaining += Math.max(0, workflow.expected - workflow.produced);
}

export interface CampaignData {
  name: string;
  tally: Tally;
  byPwg: Map<string | null, Tally>;
  byTier: Map<string | null, Tally>;
  days: DaySeries;
}

/**
 * No stuck list shows more than this many workflows: the running workflows quiet longest,
 * whatever the number of days asked for (a stuck list is a prefix of `running`).
 */
export const STUCK_LISTED = 1000;

/** A running workflow: when it went quiet, and its PWG (what stuck counts are broken down by). */
export interface RunningWorkflow extends RunningRow {
  pwg: string | null;
}

export interface DashboardSnapshot {
  /** The index version it was built at (the views are at least as new). */
  indexVersion: number;
  updateSeq: Sequence;
  /** Unix milliseconds when the build started and how long it took. */
  startedAt: number;
  buildMs: number;
  campaigns: Map<string, CampaignData>;
  /** Every workflow once. */
  all: { tally: Tally; byPwg: Map<string | null, Tally>; days: DaySeries };
  pwgDays: Map<string | null, DaySeries>;
  /** Oldest quiet first. */
  running: RunningWorkflow[];
  /**
   * The first STUCK_LISTED of `running`, as a stuck list shows them (kept for those only:
   * at 200,000 workflows a third may be running).
   */
  listed: WorkflowProgress[];
}

/** Workflows of the index read between two yields to the event loop. */
const SCAN_CHUNK = 5_000;

export async function buildSnapshot(
  index: WorkflowIndex,
  readViews: () => Promise<DashboardViewData>,
  clock: Clock = systemClock,
): Promise<DashboardSnapshot> {
  // "Counted 3s ago" is shown on the website's clock; the build's duration is measured on the system's.
  const startedAt = clock();
  const buildStarted = Date.now();
  const indexVersion = index.version;
  // The names first, then the views, then each workflow's record as the index holds it
  // when its chunk is read: while the database is written, the views and the records can
  // differ by the writes of the moments in between. Records are read a chunk at a time:
  // all at once they are a string each, ~50 MB at 200,000 workflows.
  const names = index.names();
  const views = await readViews();

  const campaigns = new Map<string, CampaignData>();
  const all = { tally: emptyTally(), byPwg: new Map<string | null, Tally>(), days: views.all };
  const campaignOf = (name: string): CampaignData => {
    let campaign = campaigns.get(name);
    if (!campaign) {
      campaign = {
        name,
        tally: emptyTally(),
        byPwg: new Map(),
        byTier: new Map(),
        days: views.campaigns.get(name) ?? DaySeries.EMPTY,
      };
      campaigns.set(name, campaign);
    }
    return campaign;
  };
  const runningNames = new Set(views.running.map((row) => row.name));
  /** Running in the view and in the index: the index's name string, and the PWG. */
  const runningInIndex = new Map<string, { name: string; pwg: string | null }>();

  for (let offset = 0; offset < names.length; offset += SCAN_CHUNK) {
    for (let i = offset; i < Math.min(offset + SCAN_CHUNK, names.length); i++) {
      const name = names[i] as string;
      // Gone from the index since the names were taken.
      const workflow = index.find(name);
      if (!workflow) continue;
      const progress = progressOf(workflow.summary());
      count(all.tally, progress);
      count(tallyOf(all.byPwg, progress.pwg), progress);
      for (const campaignName of progress.campaigns) {
        const campaign = campaignOf(campaignName);
        count(campaign.tally, progress);
        count(tallyOf(campaign.byPwg, progress.pwg), progress);
        count(tallyOf(campaign.byTier, progress.tier), progress);
      }
      if (runningNames.has(name) && progress.group === 'running')
        runningInIndex.set(name, { name, pwg: progress.pwg });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const running: RunningWorkflow[] = [];
  const listed: WorkflowProgress[] = [];
  for (const { name, quietSince, runningSince, lastGrowth } of views.running) {
    // The view may be a little ahead of the index: a workflow not running there is left out.
    const found = runningInIndex.get(name);
    if (!found) continue;
    if (listed.length < STUCK_LISTED) {
      const workflow = index.find(name);
      if (!workflow) continue;
      listed.push(progressOf(workflow.summary()));
    }
    // The index's name, not the view's copy of it.
    running.push({ name: found.name, quietSince, runningSince, lastGrowth, pwg: found.pwg });
  }
  return {
    indexVersion,
    updateSeq: views.updateSeq,
    startedAt,
    buildMs: Date.now() - buildStarted,
    campaigns,
    all,
    pwgDays: views.pwgs,
    running,
    listed,
  };
}

function tallyOf<K>(tallies: Map<K, Tally>, key: K): Tally {
  let tally = tallies.get(key);
  if (!tally) tallies.set(key, (tally = emptyTally()));
  return tally;
}
