/**
 * Counts what the dashboards view's map function emits over the benchmarks' generated
 * workflows, without a database: rows per workflow (what each update re-indexes) and the
 * grouped rows a `group=true` read of the month rows returns (what the website reads).
 *
 *   node build/bench/dashboards/view-rows.js [--workflows 20000] [--history 10] [--map FILE]
 *
 * `--map` runs another version of the map function (a map.js file, e.g. one taken from
 * git history) instead of this build's.
 */
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import { compileDesignDoc, couchFunction } from '../../couch/design.js';
import { PRODUCTION_VIEW } from '../../server/read-model/dashboard-views.js';
import { storedWorkflow } from '../website/stored-workflows.js';

interface RowCounts {
  workflows: number;
  monthRows: number;
  runningRows: number;
  /** Distinct keys of the month rows: the rows of a `group=true` read. */
  groups: number;
  /** Workflows by their number of distinct campaigns. */
  byCampaignCount: Map<number, number>;
}

/** What the map function emitted for the current document (keys only). */
let emitted: unknown[] = [];

function mapFunction(file: string | undefined): (doc: unknown) => void {
  const source = file
    ? couchFunction(file)
    : compileDesignDoc('dashboards').views?.[PRODUCTION_VIEW]?.map;
  if (!source) throw new Error(`no view ${PRODUCTION_VIEW} in the dashboards design document`);
  const context = vm.createContext({ emit: (key: unknown) => emitted.push(key) });
  return vm.runInContext(`'use strict'; (${source})`, context) as (doc: unknown) => void;
}

function countRows(map: (doc: unknown) => void, workflows: number, history: number): RowCounts {
  const now = Math.floor(Date.now() / 1000);
  const groups = new Set<string>();
  const counts: RowCounts = {
    workflows,
    monthRows: 0,
    runningRows: 0,
    groups: 0,
    byCampaignCount: new Map(),
  };
  for (let i = 0; i < workflows; i++) {
    const doc = storedWorkflow(i, now, history);
    const k = new Set(doc.Campaigns).size;
    counts.byCampaignCount.set(k, (counts.byCampaignCount.get(k) ?? 0) + 1);
    emitted = [];
    map(doc);
    for (const key of emitted) {
      if ((key as unknown[])[0] === true) counts.runningRows++;
      else {
        counts.monthRows++;
        groups.add(JSON.stringify(key));
      }
    }
  }
  counts.groups = groups.size;
  return counts;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      workflows: { type: 'string', default: '20000' },
      history: { type: 'string', default: '10' },
      map: { type: 'string' },
    },
  });
  const workflows = Number(values.workflows);
  const history = Number(values.history);
  if (!Number.isInteger(workflows) || workflows < 1)
    throw new Error(`--workflows takes a positive integer, got ${values.workflows}`);
  if (!Number.isInteger(history) || history < 0)
    throw new Error(`--history takes an integer ≥ 0, got ${values.history}`);
  const counts = countRows(mapFunction(values.map), workflows, history);
  const per = (n: number) => (n / workflows).toFixed(2);
  console.log(`map function: ${values.map ?? `this build's dashboards/${PRODUCTION_VIEW}`}`);
  console.log(
    `${workflows} generated workflows, ${history} history entries each; by distinct campaigns: ${[
      ...counts.byCampaignCount,
    ]
      .sort(([a], [b]) => a - b)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
  );
  console.log(
    `rows emitted: ${counts.monthRows + counts.runningRows} (${per(counts.monthRows + counts.runningRows)} per workflow): month rows ${counts.monthRows} (${per(counts.monthRows)} per workflow), running rows ${counts.runningRows}`,
  );
  console.log(`grouped month rows (distinct keys, group=true): ${counts.groups}`);
}

main();
