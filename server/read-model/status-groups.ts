/**
 * ReqMgr2 statuses grouped the way campaign dashboards count workflows. The running group
 * is also written into the `progress` map function (couch/design-docs/dashboards);
 * a test keeps the two equal.
 */

export const STATUS_GROUPS = [
  'new',
  'assigned',
  'running',
  'completed',
  'closed-out',
  'announced',
  'aborted',
  'other',
] as const;

export type StatusGroup = (typeof STATUS_GROUPS)[number];

export const STATUS_GROUP_LABELS: Record<StatusGroup, string> = {
  new: 'new',
  assigned: 'assigned/acquired',
  running: 'running',
  completed: 'completed',
  'closed-out': 'closed-out',
  announced: 'announced',
  aborted: 'aborted/rejected/failed',
  other: 'other',
};

/** The statuses of each group; any other status (or none) is `other`. */
export const GROUP_STATUSES: Record<Exclude<StatusGroup, 'other'>, readonly string[]> = {
  new: ['new', 'testing-approved', 'assignment-approved'],
  assigned: ['assigned', 'staging', 'staged', 'acquired'],
  running: ['running-open', 'running-closed', 'running', 'force-complete'],
  completed: ['completed'],
  'closed-out': ['closed-out'],
  announced: ['announced', 'normal-archived'],
  aborted: [
    'aborted',
    'aborted-completed',
    'aborted-archived',
    'rejected',
    'rejected-archived',
    'failed',
  ],
};

const GROUP_OF = new Map<string, StatusGroup>(
  Object.entries(GROUP_STATUSES).flatMap(([group, statuses]) =>
    statuses.map((status) => [status, group as StatusGroup]),
  ),
);

export function statusGroup(status: string | undefined): StatusGroup {
  return (status !== undefined && GROUP_OF.get(status)) || 'other';
}
