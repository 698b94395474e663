/**
 * What the dashboards view's index costs a CouchDB, for this build's map function and,
 * to compare, another version's (a map.js file, e.g. one taken from git history): the
 * benchmarks' generated workflows are written into a new database, then for each map
 * function in turn, alone in a design document: the index build over every workflow, and
 * an update run's writes (`--changed` workflows gain a history entry) with the index
 * caught up after them, beside the same writes with no view at all.
 *
 *   COUCHDB_URL=http://admin:pw@host:5984 node build/bench/dashboards/view-index-cost.js
 *     [--workflows 20000] [--changed 1000] [--map OTHER/map.js] [--server-dir DIR]
 *
 * `--server-dir`: the folder of a CouchDB started on this machine (e.g. the one given to
 * ../shared/couchdb/couchdb start); the CPU time of its processes (the Erlang VM and its
 * JavaScript processes) is reported beside the wall-clock time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DocumentScope } from 'nano';
import { connect } from '../../couch/connection.js';
import { untilIndexed } from '../support/bench-couch.js';
import { compileDesignDoc, couchFunction } from '../../couch/design.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { loadConfig } from '../../lib/config.js';
import { PRODUCTION_VIEW } from '../../server/read-model/dashboard-views.js';
import { fillWorkflows, writeGrownWorkflows } from '../website/fill-workflows.js';
import { storedWorkflow } from '../website/stored-workflows.js';

const HISTORY_ENTRIES = 10;

interface Cost {
  wallMs: number;
  /** CPU seconds of the server's processes; undefined without --server-dir. */
  cpuS: number | undefined;
}

/** utime + stime (+ those of reaped children) of every process whose command line names `dir`. */
function serverCpuSeconds(dir: string | undefined): number | undefined {
  if (dir === undefined) return undefined;
  const ticksPerSecond = 100;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14–17 of proc(5): utime, stime, cutime, cstime (from field 3 on here).
      for (const index of [11, 12, 13, 14]) ticks += Number(fields[index]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / ticksPerSecond;
}

async function measured(
  serverDir: string | undefined,
  work: () => Promise<unknown>,
): Promise<Cost> {
  const cpuBefore = serverCpuSeconds(serverDir);
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const cpuAfter = serverCpuSeconds(serverDir);
  return {
    wallMs,
    cpuS: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

function format(cost: Cost): string {
  const cpu = cost.cpuS === undefined ? '' : `, server CPU ${cost.cpuS.toFixed(1)} s`;
  return `${(cost.wallMs / 1000).toFixed(1)} s${cpu}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workflows: { type: 'string', default: '20000' },
      changed: { type: 'string', default: '1000' },
      map: { type: 'string' },
      'server-dir': { type: 'string' },
    },
  });
  const config = loadConfig(process.env).couch;
  if (config.url === undefined) throw new Error('COUCHDB_URL names the CouchDB to measure on');
  const workflows = Number(values.workflows);
  const changed = Number(values.changed);
  for (const [flag, n] of [
    ['--workflows', workflows],
    ['--changed', changed],
  ] as const)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive integer`);
  const serverDir = values['server-dir'];

  const variants: Array<{ label: string; map: string }> = [
    {
      label: `this build's dashboards/${PRODUCTION_VIEW}`,
      map: compileDesignDoc('dashboards').views?.[PRODUCTION_VIEW]?.map as string,
    },
    ...(values.map ? [{ label: values.map, map: couchFunction(values.map) }] : []),
  ];
  const server = connect({ url: config.url, authHeader: config.authHeader });
  const dbName = `stats2_view_cost_${Date.now()}`;
  await server.db.create(dbName);
  try {
    const repository = new WorkflowRepository(server, dbName);
    const db = server.use(dbName) as DocumentScope<unknown>;
    const now = Math.floor(Date.now() / 1000);
    console.log(`writing ${workflows} generated workflows into ${dbName}`);
    await fillWorkflows(repository, workflows, (i) => storedWorkflow(i, now, HISTORY_ENTRIES));
    let next = 0;
    const round = async () => {
      await writeGrownWorkflows(repository, next, changed, now, 1);
      next = (next + changed) % workflows;
    };
    console.log(
      `${changed} changed workflows, no view: ${format(await measured(serverDir, round))}`,
    );
    for (const [n, variant] of variants.entries()) {
      const id = `_design/cost${n}`;
      const query = () => db.view(`cost${n}`, 'rows', { limit: 1, reduce: false });
      const build = await measured(serverDir, async () => {
        await db.insert({ _id: id, views: { rows: { map: variant.map, reduce: '_sum' } } });
        await untilIndexed(query);
      });
      const update = await measured(serverDir, async () => {
        await round();
        await untilIndexed(query);
      });
      const info = (await server.request({ db: dbName, path: `${id}/_info` })) as {
        view_index: { sizes: { active: number } };
      };
      console.log(
        `${variant.label}: index build over ${workflows} workflows ${format(build)}; ` +
          `${changed} changed workflows with the index caught up ${format(update)}; ` +
          `index ${(info.view_index.sizes.active / 1e6).toFixed(1)} MB`,
      );
      await db.destroy(id, ((await db.get(id)) as { _rev: string })._rev);
      await server.request({ db: dbName, method: 'post', path: '_view_cleanup' });
    }
  } finally {
    await server.db.destroy(dbName);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
