/**
 * Notifications that failed are owed until they succeed (issue 11): the settings keep, per
 * workflow, the targets still owed and since when they fail. Each run with those targets
 * among its triggers tries again; one failing for longer than the allowed age is given up
 * with a warning. Plain functions over data; the run does the sending and the saving.
 */
import type { CallbackTarget } from './upstream-port.js';

/** What `failed_callbacks` in the settings holds for one workflow. */
export interface FailedCallback {
  /** The targets whose notification failed and is still owed. */
  targets: CallbackTarget[];
  /** Unix seconds of the first failure (of this streak). */
  since: number;
}

/** A week: a PdmV service down longer than that is an incident, not something to catch up on. */
export const CALLBACK_RETRY_MAX_AGE_S = 7 * 86400;

const TARGETS: readonly CallbackTarget[] = ['prod', 'dev'];

/** The `failed_callbacks` of stored settings; whatever is not of that shape is ignored. */
export function failedCallbacksOf(stored: unknown): Array<[string, FailedCallback]> {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return [];
  const entries: Array<[string, FailedCallback]> = [];
  for (const [name, value] of Object.entries(stored as Record<string, unknown>)) {
    const record = value as { targets?: unknown; since?: unknown } | null;
    if (typeof record !== 'object' || record === null || typeof record.since !== 'number') continue;
    const targets = Array.isArray(record.targets)
      ? TARGETS.filter((target) => (record.targets as unknown[]).includes(target))
      : [];
    if (targets.length > 0) entries.push([name, { targets, since: record.since }]);
  }
  return entries;
}

export interface CallbackPlan {
  /** Per workflow, the targets to notify this run. */
  send: Map<string, CallbackTarget[]>;
  /** Failures older than the allowed age: given up (the run logs each with a warning). */
  expired: Array<[string, FailedCallback]>;
}

/**
 * What a run with `triggers` sends: every trigger for the workflows whose notification is
 * pending, the failed targets among the triggers for the others.
 */
export function planCallbacks(
  pending: readonly string[],
  failed: ReadonlyArray<readonly [string, FailedCallback]>,
  triggers: readonly CallbackTarget[],
  now: number,
  maxAgeS = CALLBACK_RETRY_MAX_AGE_S,
): CallbackPlan {
  const send = new Map<string, CallbackTarget[]>();
  const expired: Array<[string, FailedCallback]> = [];
  for (const [name, record] of failed) {
    if (now - record.since > maxAgeS) {
      expired.push([name, record]);
      continue;
    }
    const targets = triggers.filter((target) => record.targets.includes(target));
    if (targets.length > 0) send.set(name, targets);
  }
  for (const name of pending) send.set(name, [...triggers]);
  return { send, expired };
}

/**
 * The failure record of a workflow after this run tried `attempted` and `failedTargets` of
 * them failed: undefined when nothing is owed any more. Targets owed but not among this
 * run's triggers stay owed.
 */
export function failureAfter(
  previous: FailedCallback | undefined,
  attempted: readonly CallbackTarget[],
  failedTargets: readonly CallbackTarget[],
  now: number,
): FailedCallback | undefined {
  const owed = TARGETS.filter(
    (target) =>
      failedTargets.includes(target) ||
      (previous?.targets.includes(target) === true && !attempted.includes(target)),
  );
  if (owed.length === 0) return undefined;
  return { targets: owed, since: previous?.since ?? now };
}
