/**
 * What campaign dashboards count of one workflow, from its summary in the website's index:
 * campaigns, status group, PWG, final output's tier, expected and produced events. The
 * CouchDB views of couch/design-docs/dashboards apply the same rules to the history (a
 * test checks that a workflow's daily changes add up to its produced events here).
 */
import { statusGroup, type StatusGroup } from './status-groups.js';
import { datasetTier, type WorkflowSummary } from './workflow-summary.js';

/** DBS access types whose events no longer count. */
const NOT_COUNTED: ReadonlySet<string> = new Set(['INVALID', 'DELETED']);

/** McM's PrepID format (Stats2's own regex): `task_<PWG>-<campaign>-<NNNNN>` or without `task_`. */
const MCM_PREPID = /^(?:task_)?([A-Z0-9]{3})-.*-[0-9]{5}$/;

export interface WorkflowProgress {
  campaigns: readonly string[];
  group: StatusGroup;
  /** The current status (the last transition's). */
  status: string | undefined;
  pwg: string | null;
  /** Tier of the final output; null without output datasets. */
  tier: string | null;
  /** TotalEvents; undefined when unknown (−1, missing or not a number ≥ 0). */
  expected: number | undefined;
  /** Counted events of the final output in its latest history entry (0 without one). */
  produced: number;
}

/** The physics group of an McM PrepID (`task_HIG-RunIISummer20UL18wmLHEGEN-00123` → HIG); null for others. */
export function pwgOf(prepid: string | undefined): string | null {
  const match = prepid === undefined ? null : MCM_PREPID.exec(prepid);
  return match ? (match[1] as string) : null;
}

export function progressOf(summary: WorkflowSummary): WorkflowProgress {
  const final = summary.datasets[summary.datasets.length - 1];
  const status = summary.lastStatus ?? summary.firstStatus;
  const expected = summary.totalEvents;
  return {
    campaigns: summary.campaigns,
    group: statusGroup(status),
    status,
    pwg: pwgOf(summary.prepid),
    tier: final ? datasetTier(final.name) : null,
    expected: expected !== undefined && expected >= 0 ? expected : undefined,
    produced:
      final === undefined || (final.type !== undefined && NOT_COUNTED.has(final.type))
        ? 0
        : (final.events ?? 0),
  };
}
