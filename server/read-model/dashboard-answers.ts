/**
 * The answers of the dashboards, as the JSON API gives them: built from a snapshot, the
 * time window and the clock. The HTML pages render these same objects and the CSV
 * downloads write their tables, so the three always agree.
 */
import {
  STUCK_LISTED,
  type CampaignData,
  type DashboardSnapshot,
  type RunningWorkflow,
  type Tally,
} from './dashboard-snapshot.js';
import { timeWindow, type TimeWindow, type WindowName } from './dashboard-window.js';
import type { WorkflowProgress } from './workflow-progress.js';
import { isoDay, monthStart, type DaySeries } from './day-series.js';
import {
  GROUP_STATUSES,
  STATUS_GROUP_LABELS,
  STATUS_GROUPS,
  type StatusGroup,
} from './status-groups.js';

/** The projection's recent rate: events of the last this many days (today included). */
export const RATE_DAYS = 14;
/** Campaigns in the dashboard's "most active" table. */
export const MOST_ACTIVE = 20;
/** Stuck: running and quiet for at least this many days, unless the visitor asks for other (1 … max). */
export const STUCK_DAYS_DEFAULT = 7;
export const STUCK_DAYS_MAX = 365;

export const CAMPAIGN_SORTS = [
  'campaign',
  'workflows',
  'running',
  'expected_events',
  'produced_events',
  'completion_percent',
  'window_events',
  'last_activity',
] as const;
export type CampaignSort = (typeof CAMPAIGN_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface AsOf {
  /** When the snapshot was taken (ISO 8601). */
  computed_at: string;
  /** The database's update sequence it reflects (opaque). */
  update_seq: string | number;
}

export interface WindowInfo {
  name: WindowName;
  label: string;
  /** First day (UTC) of the window; null for all time. */
  from: string | null;
  to: string;
  granularity: 'day' | 'month';
}

/** The status groups as row fields: closed-out → closed_out. */
export type GroupField =
  'new' | 'assigned' | 'running' | 'completed' | 'closed_out' | 'announced' | 'aborted' | 'other';
export const groupField = (group: StatusGroup) => group.replace('-', '_') as GroupField;
export const GROUP_FIELDS: readonly GroupField[] = STATUS_GROUPS.map(groupField);

const TOTALS_COLUMNS = [
  'workflows',
  'expected_events',
  'unknown_expected',
  'produced_events',
  'completion_percent',
] as const;

/** The columns of each table, in the order of the JSON rows' fields (the CSV header). */
export const TABLE_COLUMNS = {
  campaigns: [
    'campaign',
    'workflows',
    ...GROUP_FIELDS,
    'expected_events',
    'unknown_expected',
    'produced_events',
    'completion_percent',
    'window_events',
    'last_activity',
  ],
  production: ['period', 'events', 'cumulative_events'],
  status: ['group', 'workflows'],
  campaignPwgs: ['pwg', ...TOTALS_COLUMNS],
  tiers: ['tier', ...TOTALS_COLUMNS],
  mostActive: [
    'campaign',
    'window_events',
    'produced_events',
    'expected_events',
    'completion_percent',
    'last_activity',
  ],
  stuck: [
    'workflow',
    'status',
    'campaigns',
    'pwg',
    'quiet_since',
    'quiet_days',
    'running_since',
    'last_growth',
    'produced_events',
    'expected_events',
  ],
  dashboardPwgs: ['pwg', ...TOTALS_COLUMNS, 'running', 'stuck', 'window_events'],
} as const satisfies Record<string, readonly string[]>;

export interface Totals {
  workflows: number;
  expected_events: number;
  unknown_expected: number;
  produced_events: number;
  /** Produced ÷ expected over the workflows whose expected events are known; null when none is. */
  completion_percent: number | null;
}

export type CampaignRow = { campaign: string; workflows: number } & Record<GroupField, number> &
  Omit<Totals, 'workflows'> & {
    window_events: number;
    /** Last UTC day the campaign's produced events changed. */
    last_activity: string | null;
  };

export interface ProductionRow {
  /** "2025-01-31" per day, "2025-01" per month. */
  period: string;
  events: number;
  cumulative_events: number;
}

export interface CampaignsAnswer {
  window: WindowInfo;
  as_of: AsOf;
  q: string;
  sort: CampaignSort;
  order: SortOrder;
  status_groups: Array<{ field: GroupField; label: string; statuses: readonly string[] }>;
  campaigns: CampaignRow[];
}

export interface Projection {
  rate_days: number;
  recent_events: number;
  events_per_day: number;
  /** Expected minus produced, per workflow (never below 0), of the workflows not aborted/rejected/failed with known expected events. */
  remaining_events: number;
  /** Only when events remain and the recent rate is positive. */
  completion_date: string | null;
  explanation: string;
}

export interface CampaignAnswer {
  campaign: string;
  window: WindowInfo;
  as_of: AsOf;
  summary: CampaignRow;
  production: ProductionRow[];
  status_groups: Array<{ group: string; workflows: number }>;
  pwgs: Array<{ pwg: string | null } & Totals>;
  tiers: Array<{ tier: string | null } & Totals>;
  projection: Projection;
}

export interface StuckRow {
  workflow: string;
  status: string | null;
  campaigns: string[];
  pwg: string | null;
  quiet_since: string | null;
  quiet_days: number;
  running_since: string | null;
  last_growth: string | null;
  produced_events: number;
  expected_events: number | null;
}

export type ActiveCampaignRow = Pick<
  CampaignRow,
  | 'campaign'
  | 'window_events'
  | 'produced_events'
  | 'expected_events'
  | 'completion_percent'
  | 'last_activity'
>;

export interface DashboardAnswer {
  window: WindowInfo;
  as_of: AsOf;
  summary: Totals & { campaigns: number; running: number; stuck: number; window_events: number };
  production: ProductionRow[];
  most_active: ActiveCampaignRow[];
  /** `counted_to`: the time quiet days are counted up to (answers are made once a minute). */
  stuck: { days: number; counted_to: string; count: number; workflows: StuckRow[] };
  pwgs: Array<
    { pwg: string | null; running: number; stuck: number; window_events: number } & Totals
  >;
}

export function campaignsAnswer(
  snapshot: DashboardSnapshot,
  query: { window: WindowName; sort: CampaignSort; order: SortOrder; q: string },
  nowSeconds: number,
): CampaignsAnswer {
  const window = timeWindow(query.window, nowSeconds);
  const needle = query.q.toLowerCase();
  const rows = [...snapshot.campaigns.values()]
    .filter((campaign) => needle === '' || campaign.name.toLowerCase().includes(needle))
    .map((campaign) => campaignRow(campaign, window));
  return {
    window: windowInfo(window),
    as_of: asOf(snapshot),
    q: query.q,
    sort: query.sort,
    order: query.order,
    status_groups: STATUS_GROUPS.map((group) => ({
      field: groupField(group),
      label: STATUS_GROUP_LABELS[group],
      statuses: group === 'other' ? [] : GROUP_STATUSES[group],
    })),
    campaigns: sortRows(rows, query.sort, query.order),
  };
}

export function campaignAnswer(
  snapshot: DashboardSnapshot,
  name: string,
  windowName: WindowName,
  nowSeconds: number,
): CampaignAnswer | undefined {
  const campaign = snapshot.campaigns.get(name);
  if (!campaign) return undefined;
  const window = timeWindow(windowName, nowSeconds);
  return {
    campaign: name,
    window: windowInfo(window),
    as_of: asOf(snapshot),
    summary: campaignRow(campaign, window),
    production: production(campaign.days, window),
    status_groups: STATUS_GROUPS.map((group) => ({
      group: STATUS_GROUP_LABELS[group],
      workflows: campaign.tally.byGroup[group],
    })),
    pwgs: sortedBreakdown(campaign.byPwg).map(([pwg, tally]) => ({ pwg, ...totals(tally) })),
    tiers: sortedBreakdown(campaign.byTier).map(([tier, tally]) => ({ tier, ...totals(tally) })),
    projection: projection(campaign.tally, campaign.days, window.to),
  };
}

export function dashboardAnswer(
  snapshot: DashboardSnapshot,
  query: { window: WindowName; stuckDays: number },
  nowSeconds: number,
): DashboardAnswer {
  const window = timeWindow(query.window, nowSeconds);
  const stuck = stuckWorkflows(snapshot.running, query.stuckDays, nowSeconds);
  const runningByPwg = new Map<string | null, number>();
  const stuckByPwg = new Map<string | null, number>();
  for (const workflow of snapshot.running) increment(runningByPwg, workflow.pwg);
  for (const workflow of stuck) increment(stuckByPwg, workflow.pwg);
  const mostActive = [...snapshot.campaigns.values()]
    .map((campaign) => campaignRow(campaign, window))
    .filter((row) => row.window_events > 0);
  return {
    window: windowInfo(window),
    as_of: asOf(snapshot),
    summary: {
      campaigns: snapshot.campaigns.size,
      ...totals(snapshot.all.tally),
      running: snapshot.all.tally.byGroup.running,
      stuck: stuck.length,
      window_events: windowEvents(snapshot.all.days, window),
    },
    production: production(snapshot.all.days, window),
    most_active: sortRows(mostActive, 'window_events', 'desc')
      .slice(0, MOST_ACTIVE)
      .map((row) => ({
        campaign: row.campaign,
        window_events: row.window_events,
        produced_events: row.produced_events,
        expected_events: row.expected_events,
        completion_percent: row.completion_percent,
        last_activity: row.last_activity,
      })),
    stuck: {
      days: query.stuckDays,
      counted_to: isoTime(nowSeconds) as string,
      count: stuck.length,
      workflows: stuck
        .slice(0, STUCK_LISTED)
        .map((workflow, i) =>
          stuckRow(workflow, snapshot.listed[i] as WorkflowProgress, nowSeconds),
        ),
    },
    pwgs: sortedBreakdown(snapshot.all.byPwg).map(([pwg, tally]) => ({
      pwg,
      ...totals(tally),
      running: runningByPwg.get(pwg) ?? 0,
      stuck: stuckByPwg.get(pwg) ?? 0,
      window_events: windowEvents(snapshot.pwgDays.get(pwg), window),
    })),
  };
}

/** Running workflows that have produced nothing for `days` days, quiet longest first. */
function stuckWorkflows(
  running: readonly RunningWorkflow[],
  days: number,
  nowSeconds: number,
): RunningWorkflow[] {
  const cutoff = nowSeconds - days * 86_400;
  let end = 0;
  while (end < running.length && (running[end] as RunningWorkflow).quietSince <= cutoff) end++;
  return running.slice(0, end);
}

function stuckRow(
  workflow: RunningWorkflow,
  progress: WorkflowProgress,
  nowSeconds: number,
): StuckRow {
  return {
    workflow: workflow.name,
    status: progress.status ?? null,
    campaigns: [...progress.campaigns],
    pwg: progress.pwg,
    quiet_since: isoTime(workflow.quietSince),
    quiet_days: Math.floor((nowSeconds - workflow.quietSince) / 86_400),
    running_since: isoTime(workflow.runningSince),
    last_growth: isoTime(workflow.lastGrowth),
    produced_events: progress.produced,
    expected_events: progress.expected ?? null,
  };
}

function campaignRow(campaign: CampaignData, window: TimeWindow): CampaignRow {
  const { tally, days } = campaign;
  const groups = Object.fromEntries(
    STATUS_GROUPS.map((group) => [groupField(group), tally.byGroup[group]]),
  ) as Record<GroupField, number>;
  return {
    campaign: campaign.name,
    workflows: tally.workflows,
    ...groups,
    expected_events: tally.expected,
    unknown_expected: tally.unknownExpected,
    produced_events: tally.produced,
    completion_percent: completion(tally),
    window_events: windowEvents(days, window),
    last_activity: days.lastDay === undefined ? null : isoDay(days.lastDay),
  };
}

function totals(tally: Tally): Totals {
  return {
    workflows: tally.workflows,
    expected_events: tally.expected,
    unknown_expected: tally.unknownExpected,
    produced_events: tally.produced,
    completion_percent: completion(tally),
  };
}

function completion(tally: Tally): number | null {
  if (tally.expected <= 0) return null;
  return Math.round((tally.producedOfKnown / tally.expected) * 10_000) / 100;
}

function windowEvents(days: DaySeries | undefined, window: TimeWindow): number {
  if (!days) return 0;
  return window.from === undefined
    ? days.totalThrough(window.to)
    : days.sumBetween(window.from, window.to);
}

/** Per day or month across the window; for all time, from the first month with a change. */
function production(days: DaySeries, window: TimeWindow): ProductionRow[] {
  const from = window.from ?? (days.firstDay === undefined ? undefined : monthStart(days.firstDay));
  if (from === undefined) return [];
  return days.buckets(from, window.to, window.granularity).map((bucket) => ({
    period: bucket.period,
    events: bucket.events,
    cumulative_events: bucket.cumulative,
  }));
}

function projection(tally: Tally, days: DaySeries, today: number): Projection {
  const recent = days.sumBetween(today - RATE_DAYS + 1, today);
  const perDay = recent / RATE_DAYS;
  const remaining = tally.remaining;
  const base = `the events produced in the last ${RATE_DAYS} days (today included) divided by ${RATE_DAYS}`;
  let completionDate: string | null = null;
  let explanation: string;
  if (remaining <= 0) {
    explanation =
      'No events remain: every workflow with known expected events that is not aborted, rejected or failed has produced them.';
  } else if (perDay <= 0) {
    explanation = `No projection: ${base} is not positive.`;
  } else {
    completionDate = isoDay(today + Math.ceil(remaining / perDay));
    explanation = `The remaining events (expected minus produced for each workflow not aborted, rejected or failed whose expected events are known) at the recent rate: ${base}.`;
  }
  return {
    rate_days: RATE_DAYS,
    recent_events: recent,
    events_per_day: Math.round(perDay * 10) / 10,
    remaining_events: remaining,
    completion_date: completionDate,
    explanation,
  };
}

/** Most produced first; ties by name. */
function sortedBreakdown<K extends string | null>(tallies: Map<K, Tally>): Array<[K, Tally]> {
  return [...tallies].sort(
    ([a, x], [b, y]) =>
      y.produced - x.produced || String(a ?? '\uffff').localeCompare(String(b ?? '\uffff')),
  );
}

function sortRows(rows: CampaignRow[], sort: CampaignSort, order: SortOrder): CampaignRow[] {
  const direction = order === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[sort];
    const y = b[sort];
    // Missing values (no completion, no activity) go last either way.
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      return (x < y ? -1 : 1) * direction;
    }
    return a.campaign < b.campaign ? -1 : a.campaign > b.campaign ? 1 : 0;
  });
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function windowInfo(window: TimeWindow): WindowInfo {
  return {
    name: window.name,
    label: window.label,
    from: window.from === undefined ? null : isoDay(window.from),
    to: isoDay(window.to),
    granularity: window.granularity,
  };
}

function asOf(snapshot: DashboardSnapshot): AsOf {
  return {
    computed_at: new Date(snapshot.startedAt).toISOString(),
    update_seq: snapshot.updateSeq,
  };
}

/** 2025-01-31T08:00:00Z; null for a time no date can hold (a corrupt document). */
function isoTime(unixSeconds: number | null): string | null {
  const date = new Date((unixSeconds ?? NaN) * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace('.000Z', 'Z');
}
