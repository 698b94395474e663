/** One update run in the updater's child process, against a simulator running in this one. */
import type { Simulator } from '../../sim/index.js';
import { sum } from '../report/format.js';
import { askOnce } from '../support/worker-process.js';
import { deployedNodeFlags } from '../support/deployed-node-flags.js';
import type { UpdateWorkerInput, UpdateWorkerResult } from './update-worker.js';

export interface RunSpec {
  sim: Simulator;
  /** The child's environment: the simulator's, the CouchDB's, the concurrency. */
  env: Record<string, string>;
  /** Upstream calls allowed in flight per upstream (for the bound). */
  concurrency: number;
  /** Latency the simulator adds to every call (for the bound). */
  latencyMs: number;
  /** Names the child in messages and in its CPU profile. */
  label: string;
  profileDir: string | undefined;
  memorySampleMs?: number;
}

export interface RunFigures {
  concurrency: number;
  result: UpdateWorkerResult;
  maxRssMb: number;
  /** Calls per endpoint that the simulator answered during the run. */
  upstreamCalls: Record<string, number>;
  /** calls × latency ÷ concurrency: as if every call went through one limit of c. */
  boundMs: number;
  /**
   * The larger of ReqMgr2's and DBS's calls × latency ÷ concurrency: each upstream has its
   * own limit of c, so a run that overlaps them can beat `boundMs`, never this.
   */
  perUpstreamBoundMs: number;
  /** CPU the simulator (this process) took during the run, in % of one core. */
  simulatorCpuPercent: number;
}

/** The simulator's endpoints of DBS; the others are ReqMgr2's CouchDB, REST and WMStats (cmsweb). */
const DBS_ENDPOINTS = new Set(['datasetlist', 'filesummaries', 'files', 'datasets']);

function callsPerUpstream(calls: Record<string, number>): { reqmgr: number; dbs: number } {
  const totals = { reqmgr: 0, dbs: 0 };
  for (const [endpoint, count] of Object.entries(calls))
    totals[DBS_ENDPOINTS.has(endpoint) ? 'dbs' : 'reqmgr'] += count;
  return totals;
}

export async function measureRun(spec: RunSpec): Promise<RunFigures> {
  const { sim, concurrency, latencyMs } = spec;
  const before = { ...sim.counts };
  const input: UpdateWorkerInput = {
    env: spec.env,
    now: sim.world.now(),
    memorySampleMs: spec.memorySampleMs ?? 1000,
  };
  const cpuBefore = process.cpuUsage();
  const answer = await askOnce<UpdateWorkerResult>('update/update-worker.js', 'run', input, {
    label: spec.label,
    profileDir: spec.profileDir,
    nodeFlags: deployedNodeFlags('stats2-update.service'),
  });
  const cpu = process.cpuUsage(cpuBefore);
  const upstreamCalls = Object.fromEntries(
    Object.entries(sim.counts)
      .map(([endpoint, count]): [string, number] => [endpoint, count - (before[endpoint] ?? 0)])
      .filter(([, count]) => count > 0),
  );
  return {
    concurrency,
    result: answer.value,
    maxRssMb: answer.maxRssMb,
    upstreamCalls,
    boundMs: (sum(upstreamCalls) * latencyMs) / concurrency,
    perUpstreamBoundMs:
      (Math.max(...Object.values(callsPerUpstream(upstreamCalls))) * latencyMs) / concurrency,
    simulatorCpuPercent: (cpu.user + cpu.system) / 10 / answer.value.wallMs,
  };
}
