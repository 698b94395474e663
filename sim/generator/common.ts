/** Helpers shared by the per-kind generators: names, dates, status paths, layouts. */
import type { FileLayout, LumiRun } from '../dbs-content.js';
import { hashOf, type Rng } from '../prng.js';
import type { StatusPathName } from '../statuses.js';
import { DN_PDMV, MC_GENERATORS, MC_PROCESSES, MC_TUNES, SITES } from '../vocabulary.js';
import type { WorkflowSpec } from './types.js';

/** staging/staged exist since 2019-05-20 (WMCore 621fe655c). */
const STAGING_INTRODUCED = Date.UTC(2019, 4, 20) / 1000;
const REQMGR2_INTRODUCED = Date.UTC(2016, 5, 1) / 1000;

export function yearOf(epochSeconds: number): number {
  return new Date(epochSeconds * 1000).getUTCFullYear();
}

/** `<requestor>_<RequestString>_<YYMMDD>_<HHMMSS>_<N>`, N = 0..9999 not zero-padded (UTC here). */
export function requestName(
  requestor: string,
  requestString: string,
  createdAt: number,
  rng: Rng,
): string {
  const d = new Date(createdAt * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return `${requestor}_${requestString}_${date}_${time}_${rng.int(0, 9999)}`;
}

export function requestDate(createdAt: number): number[] {
  const d = new Date(createdAt * 1000);
  return [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ];
}

/** A five-digit McM / machine serial number. */
export function serial(rng: Rng): string {
  return String(rng.int(1, 9999)).padStart(5, '0');
}

export function statusPath(rng: Rng, createdAt: number): StatusPathName {
  if (createdAt < REQMGR2_INTRODUCED) return rng.chance(0.9) ? 'legacyReqMgr1' : 'rejectedAtOnce';
  if (createdAt < STAGING_INTRODUCED) {
    return rng.weighted({ happyBeforeStaging: 90, rejectedAtOnce: 5, rejectedAfterAssignment: 5 });
  }
  return rng.weighted({
    happy: 72,
    forceComplete: 6,
    failedThenReassigned: 3,
    abortedWhileRunning: 6,
    abortedAfterAssignment: 3,
    rejectedAtOnce: 4,
    rejectedAfterAssignment: 2,
    announcedThenRejected: 4,
  });
}

export function dnStyle(rng: Rng): WorkflowSpec['dnStyle'] {
  return rng.weighted({ dn: 70, empty: 15, unknown: 10, null: 5 });
}

/** The closing fields of a request that is no resubmission; the requestor's DN style is drawn last. */
export function firstSubmission(
  rng: Rng,
  createdAt: number,
): Pick<WorkflowSpec, 'parent' | 'resubmissionCount' | 'createdAt' | 'dnStyle'> {
  return { parent: undefined, resubmissionCount: 0, createdAt, dnStyle: dnStyle(rng) };
}

export function mcLayout(
  seed: number,
  lfnBase: string,
  events: number,
  eventsPerLumi: number,
  bytesPerEvent: number,
): FileLayout {
  const lumis = Math.max(1, Math.ceil(events / eventsPerLumi));
  const targetFiles = 20 + (seed % 400);
  return {
    seed,
    runs: [{ run: 1, ranges: [[1, lumis]] }],
    lumisPerFile: Math.max(1, Math.ceil(lumis / targetFiles)),
    eventsPerLumi,
    bytesPerEvent,
    filesPerBlock: 10 + (seed % 90),
    lfnBase,
    perRunDirectories: false,
  };
}

export function dataLayout(
  seed: number,
  lfnBase: string,
  runs: LumiRun[],
  eventsPerLumi: number,
  bytesPerEvent: number,
): FileLayout {
  return {
    seed,
    runs,
    lumisPerFile: 2 + (seed % 18),
    eventsPerLumi,
    bytesPerEvent,
    filesPerBlock: 20 + (seed % 80),
    lfnBase,
    perRunDirectories: true,
  };
}

export function datasetSeed(name: string): number {
  return hashOf('dataset', name);
}

/** Mass-point primary dataset name, e.g. ZprimeToTT_M2000_TuneCP5_13p6TeV-madgraph-pythia8. */
export function mcPrimaryDataset(rng: Rng, energy: string): string {
  const process = rng.pick(MC_PROCESSES).replace('{m}', String(rng.int(2, 1200) * 5));
  return `${process}_${rng.pick(MC_TUNES)}_${energy}-${rng.pick(MC_GENERATORS)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date label as in processing strings, e.g. 09Aug2019. */
export function dateLabel(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${String(d.getUTCDate()).padStart(2, '0')}${MONTHS[d.getUTCMonth()] ?? 'Jan'}${d.getUTCFullYear()}`;
}

/** A CMSSW release of the creation year, e.g. CMSSW_14_1_3 or CMSSW_14_2_0_pre4. */
export function releaseOf(rng: Rng, createdAt: number): string {
  const major = Math.max(8, yearOf(createdAt) - 2010);
  const minor = rng.int(0, 3);
  return rng.chance(0.4)
    ? `CMSSW_${major}_${minor}_0_pre${rng.int(1, 6)}`
    : `CMSSW_${major}_${minor}_${rng.int(0, 20)}`;
}

/**
 * Fields that real ReqMgr2 documents carry but Stats2 ignores, for realism (the ones it
 * reads: docs/upstreams.md#fields-stats2-reads).
 */
export function assignmentFields(rng: Rng, team: string): Record<string, unknown> {
  const sites = SITES.filter(() => rng.chance(0.5));
  return {
    Team: team,
    SiteWhitelist: sites.length > 0 ? sites : [rng.pick(SITES)],
    SiteBlacklist: [],
    TrustSitelists: false,
    TrustPUSitelists: false,
    AllowOpportunistic: false,
    SoftTimeout: 129600,
    GracePeriod: 300,
    MergedLFNBase: '/store/mc',
    UnmergedLFNBase: '/store/unmerged',
    Dashboard: 'production',
    CustodialSites: [],
    NonCustodialSites: [],
    SubscriptionPriority: 'Low',
    DeleteFromSource: false,
    BlockCloseMaxWaitTime: 66400,
  };
}

export function pdmvRequestor(): { requestor: string; requestorDn: string } {
  return { requestor: 'pdmvserv', requestorDn: DN_PDMV };
}

const BYTES_PER_EVENT: Readonly<Record<string, number>> = {
  RAW: 1_100_000,
  GEN: 60_000,
  'GEN-SIM': 1_000_000,
  'GEN-SIM-DIGI': 1_500_000,
  'GEN-SIM-RAW': 1_200_000,
  'GEN-SIM-DIGI-RAW': 1_600_000,
  'GEN-SIM-RECO': 1_400_000,
  AOD: 350_000,
  AODSIM: 420_000,
  RECO: 1_300_000,
  MINIAOD: 45_000,
  MINIAODSIM: 40_000,
  NANOAOD: 1_600,
  NANOAODSIM: 1_500,
  DQMIO: 2_000,
  ALCARECO: 300_000,
  LHE: 8_000,
  USER: 100_000,
};

export function bytesPerEvent(tier: string): number {
  return BYTES_PER_EVENT[tier] ?? 500_000;
}
