/**
 * Reads the `dashboards` design document's view `production` (couch/design-docs/dashboards):
 * production per campaign, day by day, across campaigns per PWG, and running
 * workflows by how long they have produced nothing. Two range queries answer every
 * dashboard; Apache CouchDB answers the grouped one from its stored reductions,
 * pouchdb-server re-reads the rows.
 */
import type { WorkflowRepository } from '../../couch/workflows.js';
import { couchError, isNotFound } from '../../couch/errors.js';
import { dayNumber, DaySeries, type DayNumber } from './day-series.js';
import type { Sequence } from './workflow-source.js';

export const DASHBOARDS_DESIGN_DOC = 'dashboards';
/**
 * Named for the rows it holds: a reader of another version of the view (the rows of
 * `progress` had one campaign each) gets a 404 rather than numbers read the wrong way.
 */
export const PRODUCTION_VIEW = 'production';

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

/** The workflows' sorted distinct campaigns ([] for none), the month the days start, the PWG. */
type DaysKey = [string[], number, number, string | null];
type RunningKey = [true, number, number | null, number | null];

export async function readDashboardViews(
  workflows: WorkflowRepository,
): Promise<DashboardViewData> {
  const db = workflows.db;
  const query = async <V>(params: Record<string, unknown>) => {
    try {
      return await db.view<V>(DASHBOARDS_DESIGN_DOC, PRODUCTION_VIEW, params);
    } catch (err) {
      const what = `querying view ${DASHBOARDS_DESIGN_DOC}/${PRODUCTION_VIEW} of ${workflows.name}`;
      throw couchError(
        isNotFound(err)
          ? `${what}, which this version of the website reads (run "node cli.js --action setup" to deploy this version's design documents)`
          : what,
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

  // Keys sort true (running workflows) < arrays (campaign sets). Each group is the days of
  // the workflows of one campaign set, starting month and PWG: it counts in each campaign
  // of the set, and once across campaigns.
  const groups = await query<number[]>({ startkey: [[]], endkey: [{}], group: true });
  const campaignDays = new Map<string, Map<DayNumber, number>>();
  const allDays = new Map<DayNumber, number>();
  const pwgDays = new Map<string | null, Map<DayNumber, number>>();
  for (const row of groups.rows) {
    const [campaigns, year, month, pwg] = row.key as unknown as DaysKey;
    const firstDay = dayNumber(year, month, 1);
    addDays(allDays, firstDay, row.value);
    addDays(daysOf(pwgDays, pwg), firstDay, row.value);
    for (const campaign of campaigns) addDays(daysOf(campaignDays, campaign), firstDay, row.value);
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

function daysOf<K>(series: Map<K, Map<DayNumber, number>>, key: K): Map<DayNumber, number> {
  let days = series.get(key);
  if (!days) series.set(key, (days = new Map()));
  return days;
}

/** Adds day-by-day changes (index 0 = `firstDay`) to `days`. */
function addDays(days: Map<DayNumber, number>, firstDay: DayNumber, changes: number[]): void {
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as number;
    if (change === 0) continue;
    const day = firstDay + i;
    days.set(day, (days.get(day) ?? 0) + change);
  }
}
