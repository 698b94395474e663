/**
 * The update run as it ships: a first run and an incremental run with no setting given
 * (upstream concurrency, batch and page sizes from lib/config.ts), against the simulator
 * with a fixed latency on every call, beside the bound `calls × latency ÷ c` for the
 * default concurrency c.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { counts, integer, milliseconds, ratio, seconds, sum } from '../report/format.js';
import type { ReportBody, TargetCheck } from '../report/report.js';
import type { BenchContext } from '../support/bench-context.js';
import { openBenchCouch } from '../support/bench-couch.js';
import { describeFlags } from '../support/deployed-node-flags.js';
import { measureRun, type RunFigures } from './measure-run.js';
import { advanceUntilChanged } from './world-advance.js';

const SEED = 7;
const BOUND_TARGET = 1.3;

export async function defaultsBenchmark(context: BenchContext): Promise<ReportBody[]> {
  const { defaultsWorkflows: workflows, latencyMs, changedShare } = context.scale.update;
  const shipped = loadConfig({});
  const { reqmgr, dbs } = shipped.upstream.concurrency;
  // The bound counts every call against one limit of c; with unequal defaults, the larger.
  const concurrency = Math.max(reqmgr, dbs);
  const certificates = mkdtempSync(path.join(os.tmpdir(), 'stats2-bench-sim-'));
  const couch = await openBenchCouch();
  let sim: Simulator | undefined;
  try {
    const names = await couch.createDatabases('defaults');
    sim = await startSimulator({
      seed: SEED,
      workflows,
      active: workflows,
      latencyMs,
      dir: certificates,
    });
    const run = {
      sim,
      env: { ...sim.env, ...couch.childEnv(names) },
      concurrency,
      latencyMs,
      profileDir: context.profileDir,
    };
    context.log(`defaults: first run over ${integer(workflows)} workflows`);
    const first = await measureRun({ ...run, label: 'defaults-first' });
    const advance = advanceUntilChanged(sim.world, changedShare);
    context.log(`defaults: incremental run (${integer(advance.changedDocuments)} changed)`);
    const incremental = await measureRun({ ...run, label: 'defaults-incremental' });
    const runs: [string, RunFigures][] = [
      ['first run (empty database)', first],
      [`incremental run (${integer(advance.changedDocuments)} changed in ReqMgr2)`, incremental],
    ];
    const settings =
      `REQMGR_CONCURRENCY ${reqmgr}, DBS_CONCURRENCY ${dbs}, ` +
      `UPDATE_BATCH_SIZE ${shipped.updater.batchSize}, UPDATE_PAGE_SIZE ${shipped.updater.pageSize}`;
    const targets: TargetCheck[] = runs.map(([what, figures]) => ({
      what: `${what.replace(/ \(.*/, '')} wall time at the shipped defaults`,
      target: `≤ ${BOUND_TARGET} × bound (${seconds(BOUND_TARGET * figures.boundMs)} s)`,
      measured: `${seconds(figures.result.wallMs)} s (${ratio(figures.result.wallMs / figures.boundMs)})`,
      met: figures.result.wallMs <= BOUND_TARGET * figures.boundMs,
    }));
    return [
      {
        id: 'defaults',
        title: 'Update run at the shipped defaults',
        setup:
          `Simulator (seed ${SEED}) with ${integer(workflows)} workflows, all active in WMStats, ${latencyMs} ms latency on every upstream call; ` +
          `no setting given, so the defaults of lib/config.ts apply (${settings}); the updater in a child process (${describeFlags('stats2-update.service')}). ` +
          `The incremental run follows after simulated time moved ${Math.round(advance.seconds / 60)} min, and recalculates every active workflow.`,
        tables: [
          {
            columns: [
              'run',
              'wall',
              `bound: calls × ${latencyMs} ms ÷ ${concurrency}`,
              'wall ÷ bound',
              'wall ÷ per-upstream bound',
              'upstream calls',
              'CouchDB requests',
              'no upstream call in flight',
              'mean calls in flight otherwise',
              'mean time per upstream call',
              'simulator CPU',
              'documents + history entries written / failed',
            ],
            rows: runs.map(([what, figures]) => [
              what,
              `${seconds(figures.result.wallMs)} s`,
              `${seconds(figures.boundMs)} s`,
              ratio(figures.result.wallMs / figures.boundMs),
              ratio(figures.result.wallMs / figures.perUpstreamBoundMs),
              integer(sum(figures.upstreamCalls)),
              integer(sum(figures.result.couchRequests)),
              `${seconds((figures.result.activityMs.couch ?? 0) + (figures.result.activityMs.none ?? 0))} s`,
              figures.result.meanUpstreamInFlight.toFixed(1),
              milliseconds(figures.result.meanUpstreamCallMs),
              `${Math.round(figures.simulatorCpuPercent)} %`,
              `${integer(figures.result.summary.changed + figures.result.summary.historyEntriesAdded)} / ${integer(figures.result.summary.failed)}`,
            ]),
          },
          {
            caption:
              'Upstream calls per endpoint, CouchDB requests and milliseconds on the wire per kind, phases of the run (ms)',
            columns: ['run', 'upstream calls', 'CouchDB requests', 'CouchDB ms', 'phases'],
            rows: runs.map(([what, figures]) => [
              what.replace(/ \(.*/, ''),
              counts(figures.upstreamCalls),
              counts(figures.result.couchRequests),
              counts(figures.result.couchMs),
              counts(figures.result.summary.durations),
            ]),
          },
        ],
        targets,
        notes: [],
      },
    ];
  } finally {
    await sim?.close();
    await couch.close();
    rmSync(certificates, { recursive: true, force: true });
  }
}
