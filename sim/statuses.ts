/**
 * ReqMgr2 request statuses (docs/upstreams.md#request-statuses): the paths a request really
 * takes, how long it typically stays in each status, and which statuses WMStats caches.
 */

const HAPPY = [
  'new',
  'assignment-approved',
  'assigned',
  'staging',
  'staged',
  'acquired',
  'running-open',
  'running-closed',
  'completed',
  'closed-out',
  'announced',
  'normal-archived',
];

/**
 * What WMStats caches, hence what `filtered_requests` lists: every ReqMgr2 status but the
 * archived ones.
 */
export const ACTIVE_STATUS: ReadonlySet<string> = new Set([
  ...HAPPY.filter((status) => !status.endsWith('-archived')),
  'failed',
  'force-complete',
  'aborted',
  'aborted-completed',
  'rejected',
]);

/** Whole life stories, first status to final status. Each is a chain of allowed transitions. */
export const STATUS_PATHS = {
  happy: HAPPY,
  forceComplete: [
    ...HAPPY.slice(0, 7),
    'force-complete',
    'completed',
    'closed-out',
    'announced',
    'normal-archived',
  ],
  failedThenReassigned: [...HAPPY.slice(0, 5), 'failed', ...HAPPY.slice(2)],
  abortedWhileRunning: [...HAPPY.slice(0, 7), 'aborted', 'aborted-completed', 'aborted-archived'],
  abortedAfterAssignment: [
    ...HAPPY.slice(0, 3),
    'aborted',
    'aborted-completed',
    'aborted-archived',
  ],
  rejectedAtOnce: ['new', 'rejected', 'rejected-archived'],
  /** A direct jump as recorded in real dumps. */
  rejectedAfterAssignment: ['new', 'assignment-approved', 'assigned', 'rejected-archived'],
  announcedThenRejected: [...HAPPY.slice(0, 11), 'rejected', 'rejected-archived'],
  /** Before 2019-05-20 there was no staging/staged. */
  happyBeforeStaging: HAPPY.filter((status) => status !== 'staging' && status !== 'staged'),
  /** ReqMgr1-era statuses in very old documents. */
  legacyReqMgr1: [
    'new',
    'testing-approved',
    'assignment-approved',
    'assigned',
    'acquired',
    'running',
    'completed',
    'closed-out',
    'announced',
    'normal-archived',
  ],
} as const satisfies Record<string, readonly string[]>;

export type StatusPathName = keyof typeof STATUS_PATHS;

/** Typical seconds spent in a status before the next transition. */
const MEAN_DWELL_SECONDS: Readonly<Record<string, number>> = {
  new: 6 * 3600,
  'testing-approved': 6 * 3600,
  'assignment-approved': 12 * 3600,
  assigned: 3600,
  staging: 2 * 3600,
  staged: 1800,
  acquired: 3600,
  'running-open': 86400,
  running: 3 * 86400,
  'running-closed': 2 * 86400,
  'force-complete': 3600,
  completed: 86400,
  'closed-out': 12 * 3600,
  announced: 14 * 86400,
  failed: 86400,
  aborted: 3600,
  'aborted-completed': 7 * 86400,
  rejected: 7 * 86400,
};

export function meanDwellSeconds(status: string): number {
  return MEAN_DWELL_SECONDS[status] ?? 86400;
}

export function isArchived(status: string): boolean {
  return status.endsWith('-archived');
}

/** Statuses at or after which a request has started writing output to DBS. */
const WRITING_STATUSES = new Set([
  'running-open',
  'running',
  'running-closed',
  'force-complete',
  'completed',
  'closed-out',
  'announced',
  'normal-archived',
]);
export function writesOutput(status: string): boolean {
  return WRITING_STATUSES.has(status);
}

/** Statuses after which no new output appears. */
const OUTPUT_COMPLETE = new Set(['completed', 'closed-out', 'announced', 'normal-archived']);
export function outputComplete(status: string): boolean {
  return OUTPUT_COMPLETE.has(status);
}

/** Statuses at or after Global WorkQueue acquisition, when ReqMgr2 has written TotalInput*. */
const ACQUIRED_OR_LATER = new Set(['acquired', ...WRITING_STATUSES]);
export function hasInputStatistics(path: readonly string[], step: number): boolean {
  return path.slice(0, step).some((status) => ACQUIRED_OR_LATER.has(status));
}
