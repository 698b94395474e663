/**
 * Reads the `dashboards` design document's view `progress` (couch/design-docs/dashboards):
 * production per campaign and month, day by day, across campaigns per PWG, and running
 * workflows by how long they have produced nothing. Three range queries answer every
 * dashboard; Apache CouchDB answers the grouped ones from its stored reductions,
 * pouchdb-server re-reads the rows.
 */
import type { WorkflowRepository } from '../../couch/workflows.js';
import { couchError } from '../../couch/errors.js';
import { dayNumber, DaySeries, type DayNumber } from './day-series.js';
import type { Sequence } from './workflow-source.js';

export const DASHBOARDS_DESIGN_DOC = 'dashboards';
export const PROGRESS_VIEW = 'progress';

export interface RunningRow {
  name: string;
  /** Unix seconds since which its final output has not grown. */
  quietSince: number;
  runningSince: number | null;
  lastGrowth: number | null;
}

export interface DashboardViewData {
  /** The database's update sequence before the view was read (it is at least this new). */
  updateSeq: Sequence;
  /** Daily changes of produced events per campaign. */
  campaigns: Map<string, DaySeries>;
  /** Across campaigns (each workflow once). */
  all: DaySeries;
  /** Across campaigns, per PWG (null: not an McM PrepID). */
  pwgs: Map<string | null, DaySeries>;
  /** Quiet longest first (ties by name). */
  running: RunningRow[];
}

type MonthKey = [string | null, number, number, (string | null)?];
type RunningKey = [true, number, number | null, number | null];

export async function readDashboardViews(
  workflows: WorkflowRepository,
): Promise<DashboardViewData> {
  const db = workflows.db;
  const query = async <V>(params: Record<string, unknown>) => {
    try {
      return await db.view<V>(DASHBOARDS_DESIGN_DOC, PROGRESS_VIEW, params);
    } catch (err) {
      throw couchError(
        `querying view ${DASHBOARDS_DESIGN_DOC}/${PROGRESS_VIEW} of ${workflows.name}`,
        err,
      );
    }
  };
  let updateSeq: Sequence;
  try {
    updateSeq = (await db.info()).update_seq as Sequence;
  } catch (err) {
    throw couchError(`reading the update sequence of ${workflows.name}`, err);
  }

  // Keys sort null (across campaigns) < true (running workflows) < strings (campaigns).
  const byCampaign = await query<number[]>({ startkey: [''], endkey: [{}], group_level: 3 });
  const campaignDays = new Map<string, Map<DayNumber, number>>();
  for (const row of byCampaign.rows) {
    const [campaign, year, month] = row.key as unknown as MonthKey;
    if (typeof campaign !== 'string') continue;
    let days = campaignDays.get(campaign);
    if (!days) campaignDays.set(campaign, (days = new Map()));
    addMonth(days, year, month, row.value);
  }

  const acrossCampaigns = await query<number[]>({
    startkey: [null],
    endkey: [null, {}],
    group: true,
  });
  const allDays = new Map<DayNumber, number>();
  const pwgDays = new Map<string | null, Map<DayNumber, number>>();
  for (const row of acrossCampaigns.rows) {
    const [, year, month, pwg = null] = row.key as unknown as MonthKey;
    addMonth(allDays, year, month, row.value);
    let days = pwgDays.get(pwg);
    if (!days) pwgDays.set(pwg, (days = new Map()));
    addMonth(days, year, month, row.value);
  }

  const running = await query<unknown>({ startkey: [true], endkey: [true, {}], reduce: false });
  return {
    updateSeq,
    campaigns: new Map([...campaignDays].map(([name, days]) => [name, DaySeries.fromMap(days)])),
    all: DaySeries.fromMap(allDays),
    pwgs: new Map([...pwgDays].map(([pwg, days]) => [pwg, DaySeries.fromMap(days)])),
    running: running.rows
      .map((row) => {
        const [, quietSince, runningSince, lastGrowth] = row.key as unknown as RunningKey;
        return { name: row.id, quietSince, runningSince, lastGrowth };
      })
      .sort((a, b) => a.quietSince - b.quietSince || (a.name < b.name ? -1 : 1)),
  };
}

/** Adds a month's day-by-day changes (index 0 = day 1) to `days`. */
function addMonth(
  days: Map<DayNumber, number>,
  year: number,
  month: number,
  changes: number[],
): void {
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as number;
    if (change === 0) continue;
    const day = dayNumber(year, month, i + 1);
    days.set(day, (days.get(day) ?? 0) + change);
  }
}
