/**
 * A seeded world of workflows for the campaign dashboards, and what the dashboards must
 * show of it, computed here directly from the documents — written apart from the map
 * functions and the server code, so that a mistake in either shows as a difference.
 */
import type { StoredWorkflow } from '../../workflow/documents.js';

const DAY = 86_400;

export const CAMPAIGN_A = 'DashRun3Summer24GS';
export const CAMPAIGN_B = 'DashRun3Summer24DRPremix';
/** Produced nothing in the last weeks: no projection. */
export const CAMPAIGN_QUIET = 'DashRun2Legacy16MiniAOD';
export const CAMPAIGN_HOSTILE = 'Dash<b>"bold"</b>&co';
const CAMPAIGNS = [CAMPAIGN_A, CAMPAIGN_B, CAMPAIGN_HOSTILE];

const PREPIDS = [
  (i: number) => `task_HIG-${CAMPAIGN_A}-${String(10_000 + i).padStart(5, '0')}`,
  (i: number) => `EXO-${CAMPAIGN_B}-${String(20_000 + i)}`,
  (i: number) => `task_SMP-${CAMPAIGN_A}-${String(30_000 + i)}`,
  () => 'ReReco-Run2024F-JetMET0-ECALRatio-00002',
  () => null,
  (i: number) => `task_B2G-Odd-${i}`,
];

/** Last statuses, one per group and a few more. */
const LAST_STATUSES = [
  'new',
  'assignment-approved',
  'assigned',
  'acquired',
  'running-open',
  'running-closed',
  'force-complete',
  'completed',
  'closed-out',
  'announced',
  'normal-archived',
  'aborted',
  'rejected',
  'failed',
  'some-legacy-status',
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function dashboardWorld(now: number, count = 90, seed = 14): StoredWorkflow[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const docs: StoredWorkflow[] = [];
  for (let i = 0; i < count; i++) {
    const name = `dash_${String(i).padStart(3, '0')}_250101_000000_${1000 + i}`;
    const campaigns = CAMPAIGNS.filter(() => next() < 0.5);
    if (i % 10 === 0) campaigns.push(CAMPAIGN_A, CAMPAIGN_A); // listed twice: counts once
    const gen = `/Dash${i}/Camp-v1/GEN-SIM`;
    const mini = `/Dash${i}/Camp-v1/MINIAODSIM`;
    const history: Array<{ Time: number; Datasets: Record<string, unknown> }> = [];
    let events = 0;
    const entries = i % 9 === 0 ? 0 : 1 + Math.floor(next() * 8);
    const firstDaysAgo = Math.floor(next() * 150);
    for (let e = 0; e < entries; e++) {
      const daysAgo = Math.max(0, firstDaysAgo - e * Math.floor(1 + next() * 20));
      const time = now - daysAgo * DAY - Math.floor(next() * 3600);
      events += Math.floor(next() * 5000);
      const type = e === entries - 1 && i % 7 === 3 ? 'INVALID' : 'PRODUCTION';
      const datasets: Record<string, unknown> = {
        [gen]: { Type: 'PRODUCTION', Events: events * 2, Size: 1 },
      };
      // Now and then an entry lacks the final output: it changes nothing.
      if (!(e > 0 && i % 11 === 5)) datasets[mini] = { Type: type, Events: events, Size: 1 };
      history.push({ Time: time, Datasets: datasets });
      // A repeated measurement of the same numbers.
      if (i % 13 === 0) history.push({ Time: time + 60, Datasets: datasets });
    }
    const last = pick(LAST_STATUSES);
    const runningStart = now - Math.floor(next() * 60) * DAY - 7200;
    docs.push({
      _id: name,
      RequestName: name,
      RequestType: 'TaskChain',
      PrepID: pick(PREPIDS)(i),
      Campaigns: campaigns,
      OutputDatasets: [gen, mini],
      TotalEvents: i % 8 === 0 ? -1 : i % 17 === 0 ? null : 10_000 + (i % 5) * 5_000,
      RequestTransition: [
        { Status: 'new', UpdateTime: runningStart - 10 * DAY },
        { Status: 'assigned', UpdateTime: runningStart - 5 * DAY },
        ...(last.startsWith('running') || last === 'force-complete'
          ? [{ Status: 'running-open', UpdateTime: runningStart }]
          : []),
        { Status: last, UpdateTime: runningStart + DAY },
      ],
      EventNumberHistory: history.reverse(), // stored out of order: readers must sort
      LastUpdate: now,
    } as StoredWorkflow);
  }
  // A campaign whose production stopped 40 days ago.
  docs.push({
    _id: 'dash_quiet_250101_000000_9999',
    RequestName: 'dash_quiet_250101_000000_9999',
    PrepID: 'task_TOP-Quiet-00001',
    Campaigns: [CAMPAIGN_QUIET],
    OutputDatasets: ['/Quiet/Camp-v1/MINIAODSIM'],
    TotalEvents: 100_000,
    RequestTransition: [{ Status: 'running-open', UpdateTime: now - 60 * DAY }],
    EventNumberHistory: [
      {
        Time: now - 50 * DAY,
        Datasets: { '/Quiet/Camp-v1/MINIAODSIM': { Type: 'PRODUCTION', Events: 1000, Size: 1 } },
      },
      {
        Time: now - 40 * DAY,
        Datasets: { '/Quiet/Camp-v1/MINIAODSIM': { Type: 'PRODUCTION', Events: 4000, Size: 1 } },
      },
    ],
    LastUpdate: now,
  } as StoredWorkflow);
  return docs;
}

/** What one workflow contributes, read straight from its document. */
export interface Contribution {
  name: string;
  campaigns: string[];
  group: string;
  status: string | undefined;
  pwg: string | null;
  expected: number | undefined;
  produced: number;
  /** Change of produced events per UTC day number. */
  days: Map<number, number>;
  /** For running workflows: since when the final output has not grown. */
  quietSince: number | undefined;
}

const GROUPS: Record<string, string> = {
  new: 'new',
  'assignment-approved': 'new',
  assigned: 'assigned',
  acquired: 'assigned',
  'running-open': 'running',
  'running-closed': 'running',
  'force-complete': 'running',
  completed: 'completed',
  'closed-out': 'closed_out',
  announced: 'announced',
  'normal-archived': 'announced',
  aborted: 'aborted',
  rejected: 'aborted',
  failed: 'aborted',
};

export function contributionOf(doc: StoredWorkflow): Contribution {
  const outputs = doc.OutputDatasets ?? [];
  const final = outputs[outputs.length - 1];
  const history = [...(doc.EventNumberHistory ?? [])].sort((a, b) => a.Time - b.Time);
  const days = new Map<number, number>();
  let produced = 0;
  let lastGrowth: number | undefined;
  for (const entry of history) {
    const numbers = final === undefined ? undefined : entry.Datasets[final];
    if (!numbers) continue;
    const counted = numbers.Type === 'INVALID' || numbers.Type === 'DELETED' ? 0 : numbers.Events;
    if (counted > produced) lastGrowth = entry.Time;
    const day = Math.floor(entry.Time / DAY);
    days.set(day, (days.get(day) ?? 0) + counted - produced);
    produced = counted;
  }
  for (const [day, change] of days) if (change === 0) days.delete(day);
  const transitions = doc.RequestTransition ?? [];
  const status = transitions[transitions.length - 1]?.Status;
  const group = (status && GROUPS[status]) || 'other';
  let quietSince: number | undefined;
  if (group === 'running') {
    let start: number | undefined;
    for (
      let t = transitions.length - 1;
      t >= 0 && GROUPS[transitions[t]?.Status ?? ''] === 'running';
      t--
    )
      start = transitions[t]?.UpdateTime;
    quietSince = Math.max(start ?? -Infinity, lastGrowth ?? -Infinity);
  }
  const prepid = doc.PrepID ?? '';
  const withoutTask = prepid.startsWith('task_') ? prepid.slice(5) : prepid;
  const parts = withoutTask.split('-');
  const pwg =
    parts.length >= 3 &&
    /^[A-Z0-9]{3}$/.test(parts[0] as string) &&
    /^\d{5}$/.test(parts[parts.length - 1] as string)
      ? (parts[0] as string)
      : null;
  const total = doc.TotalEvents;
  return {
    name: doc._id,
    campaigns: [...new Set(doc.Campaigns ?? [])],
    group,
    status,
    pwg,
    expected: typeof total === 'number' && total >= 0 ? total : undefined,
    produced,
    days,
    quietSince,
  };
}

export interface ExpectedTotals {
  workflows: number;
  groups: Record<string, number>;
  expected: number;
  unknown: number;
  produced: number;
  producedOfKnown: number;
  days: Map<number, number>;
}

export function totalsOf(contributions: readonly Contribution[]): ExpectedTotals {
  const totals: ExpectedTotals = {
    workflows: 0,
    groups: {},
    expected: 0,
    unknown: 0,
    produced: 0,
    producedOfKnown: 0,
    days: new Map(),
  };
  for (const c of contributions) {
    totals.workflows++;
    totals.groups[c.group] = (totals.groups[c.group] ?? 0) + 1;
    totals.produced += c.produced;
    if (c.expected === undefined) totals.unknown++;
    else {
      totals.expected += c.expected;
      totals.producedOfKnown += c.produced;
    }
    for (const [day, change] of c.days) totals.days.set(day, (totals.days.get(day) ?? 0) + change);
  }
  for (const [day, change] of totals.days) if (change === 0) totals.days.delete(day);
  return totals;
}

/** Σ of the days in [from, to] (from undefined: since the beginning). */
export function sumDays(days: Map<number, number>, from: number | undefined, to: number): number {
  let sum = 0;
  for (const [day, change] of days)
    if ((from === undefined || day >= from) && day <= to) sum += change;
  return sum;
}

export function dayOfIso(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 1000 / DAY;
}

export function isoOfDay(day: number): string {
  return new Date(day * DAY * 1000).toISOString().slice(0, 10);
}
