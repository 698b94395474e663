/**
 * Reads the `dashboards` design document's views (couch/design-docs/dashboards): daily
 * production per campaign and across campaigns, and running workflows by how long they
 * have produced nothing. Three queries answer every dashboard; Apache CouchDB answers the
 * grouped ones from its stored reductions, pouchdb-server re-reads the rows.
 */
import type { WorkflowRepository } from '../couch/workflows.js';
import { couchError } from '../couch/errors.js';
import { dayNumber, DaySeries, type DayNumber } from './day-series.js';
import type { Sequence } from './workflow-source.js';

export const DASHBOARDS_DESIGN_DOC = 'dashboards';

export interface RunningRow {
  name: string;
  /** Unix seconds since which its final output has not grown. */
  quietSince: number;
  runningSince: number | null;
  lastGrowth: number | null;
}

export interface DashboardViewData {
  /** The database's update sequence before the views were read (they are at least this new). */
  updateSeq: Sequence;
  /** Daily changes of produced events per campaign. */
  campaigns: Map<string, DaySeries>;
  /** Across campaigns (each workflow once). */
  all: DaySeries;
  /** Across campaigns, per PWG (null: not an McM PrepID). */
  pwgs: Map<string | null, DaySeries>;
  /** Oldest quiet first. */
  running: RunningRow[];
}

type Key = [string | null, number, number, number, string | null];

export async function readDashboardViews(
  workflows: WorkflowRepository,
): Promise<DashboardViewData> {
  const db = workflows.db;
  const query = async <V>(view: string, params: Record<string, unknown>) => {
    try {
      return await db.view<V>(DASHBOARDS_DESIGN_DOC, view, params);
    } catch (err) {
      throw couchError(`querying view ${DASHBOARDS_DESIGN_DOC}/${view} of ${workflows.name}`, err);
    }
  };
  let updateSeq: Sequence;
  try {
    updateSeq = (await db.info()).update_seq as Sequence;
  } catch (err) {
    throw couchError(`reading the update sequence of ${workflows.name}`, err);
  }

  // Campaign keys are strings, which sort after the null of the across-campaigns rows.
  const byCampaign = await query<number>('dailyProduction', {
    startkey: [''],
    endkey: [{}],
    group_level: 4,
  });
  const campaignDays = new Map<string, Map<DayNumber, number>>();
  for (const row of byCampaign.rows) {
    const [campaign, year, month, day] = row.key as unknown as Key;
    if (typeof campaign !== 'string') continue;
    let days = campaignDays.get(campaign);
    if (!days) campaignDays.set(campaign, (days = new Map()));
    days.set(dayNumber(year, month, day), row.value);
  }

  const acrossCampaigns = await query<number>('dailyProduction', {
    startkey: [null],
    endkey: [null, {}],
    group: true,
  });
  const allDays = new Map<DayNumber, number>();
  const pwgDays = new Map<string | null, Map<DayNumber, number>>();
  for (const row of acrossCampaigns.rows) {
    const [, year, month, day, pwg] = row.key as unknown as Key;
    const dayKey = dayNumber(year, month, day);
    allDays.set(dayKey, (allDays.get(dayKey) ?? 0) + row.value);
    let days = pwgDays.get(pwg);
    if (!days) pwgDays.set(pwg, (days = new Map()));
    days.set(dayKey, row.value);
  }

  const running = await query<[number | null, number | null]>('runningQuietSince', {});
  return {
    updateSeq,
    campaigns: new Map([...campaignDays].map(([name, days]) => [name, DaySeries.fromMap(days)])),
    all: DaySeries.fromMap(allDays),
    pwgs: new Map([...pwgDays].map(([pwg, days]) => [pwg, DaySeries.fromMap(days)])),
    running: running.rows.map((row) => ({
      name: row.id,
      quietSince: row.key as unknown as number,
      runningSince: row.value[0],
      lastGrowth: row.value[1],
    })),
  };
}
