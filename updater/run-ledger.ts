/**
 * What an update run has decided about workflows, as data: the failed list (with why each
 * failed), the notifications owed (pending, and failed with the targets still owed), and
 * which workflows failed in this run (nothing more is written for them in it). No I/O:
 * the run hands it the steps' outcomes, and at each checkpoint saves `merge(stored)`.
 *
 * The merge rule: each list is the stored one, without the names this run took off, with
 * this run's entries on top. Names this run never touched keep whatever the stored list
 * says, so a one-workflow update running beside a full run keeps its own decisions.
 */
import type { Settings } from '../workflow/documents.js';
import { failedCallbacksOf, failureAfter, type FailedCallback } from './callback-retries.js';
import { TrackedNames } from './tracked-names.js';
import type { CallbackTarget } from './upstream-port.js';

/** Why a workflow on the stored failed list is on it, as far as this run knows. */
const FAILED_EARLIER = 'failed in an earlier run';

/** The notifications owed: to every trigger (pending), or to the targets that failed. */
export interface OwedNotifications {
  pending: string[];
  failed: Array<[string, FailedCallback]>;
}

export class RunLedger {
  /** The failed list, with why each failed. */
  readonly #failed: TrackedNames<string>;
  /** Workflows owed a notification to every trigger (recorded before the writes they announce). */
  readonly #pending: TrackedNames<true>;
  /** Notifications that failed, owed until they succeed. */
  readonly #failedCallbacks: TrackedNames<FailedCallback>;
  /** Workflows that failed in this run: nothing more is written for them in it. */
  readonly #failedThisRun = new Set<string>();

  private constructor(
    /** False for a run without triggers: it owes nothing new. */
    private readonly notifying: boolean,
    stored: {
      failed: Array<[string, string]>;
      pending: Array<[string, true]>;
      failedCallbacks: Array<[string, FailedCallback]>;
    },
  ) {
    this.#failed = new TrackedNames(stored.failed);
    this.#pending = new TrackedNames(stored.pending);
    this.#failedCallbacks = new TrackedNames(stored.failedCallbacks);
  }

  /** A full run's ledger: it starts from every stored entry. */
  static forRun(stored: Settings, notifying: boolean): RunLedger {
    return new RunLedger(notifying, {
      failed: stored.failed_workflows.map((name): [string, string] => [name, FAILED_EARLIER]),
      pending: pendingCallbacksOf(stored).map((name): [string, true] => [name, true]),
      failedCallbacks: failedCallbacksOf(stored.failed_callbacks),
    });
  }

  /**
   * A one-workflow update's ledger: only `name`'s notifications owed, and whatever the
   * stored lists say of `name`, this update decides it anew.
   */
  static forOneWorkflow(stored: Settings, name: string, notifying: boolean): RunLedger {
    const ledger = new RunLedger(notifying, {
      failed: [],
      pending: pendingCallbacksOf(stored).includes(name) ? [[name, true]] : [],
      failedCallbacks: failedCallbacksOf(stored.failed_callbacks).filter(([owed]) => owed === name),
    });
    ledger.#failed.decideAnew(name);
    ledger.#pending.decideAnew(name);
    ledger.#failedCallbacks.decideAnew(name);
    return ledger;
  }

  /** `name` failed: on the failed list, and nothing more is written for it in this run. */
  recordFailure(name: string, reason: string): void {
    this.#failed.set(name, reason);
    this.#failedThisRun.add(name);
  }

  /**
   * The document step's outcome: a workflow written or found unchanged comes off the failed
   * list (unless something else failed for it in this run); one ReqMgr2 no longer has is
   * off every list; those written are owed a notification. (Failures: `recordFailure`.)
   */
  recordDocuments(outcome: {
    written: readonly string[];
    unchanged: readonly string[];
    removed: readonly string[];
  }): void {
    for (const name of [...outcome.written, ...outcome.unchanged])
      if (!this.#failedThisRun.has(name)) this.#failed.takeOff(name);
    this.recordGone(outcome.removed);
    this.owe(outcome.written);
  }

  /** Workflows deleted here (or never stored): off the failed list and owed nothing. */
  recordGone(names: readonly string[]): void {
    for (const name of names) {
      this.#failed.takeOff(name);
      this.#pending.takeOff(name);
      this.#failedCallbacks.takeOff(name);
    }
  }

  /** The history step's outcome: the workflows that got a new entry are owed a notification. */
  recordHistories(appended: readonly string[]): void {
    this.owe(appended);
  }

  /**
   * Owes every trigger a notification of `names` (a run without triggers owes nothing);
   * returns those not owed before, which the run saves before writing them.
   */
  owe(names: readonly string[]): string[] {
    if (!this.notifying) return [];
    const fresh = names.filter((name) => !this.#pending.has(name));
    for (const name of fresh) this.#pending.set(name, true);
    return fresh;
  }

  /**
   * `name`'s notification was sent to `attempted` and failed for `failedTargets` (a workflow
   * deleted meanwhile: none attempted, both cleared): no longer pending, and owed only the
   * targets that failed or were not tried.
   */
  recordNotified(
    name: string,
    attempted: readonly CallbackTarget[],
    failedTargets: readonly CallbackTarget[],
    now: number,
  ): void {
    this.#pending.takeOff(name);
    const record = failureAfter(this.#failedCallbacks.get(name), attempted, failedTargets, now);
    if (record === undefined) this.#failedCallbacks.takeOff(name);
    else this.#failedCallbacks.set(name, record);
  }

  /** A notification failing for too long is owed no more. */
  recordGivenUp(name: string): void {
    this.#failedCallbacks.takeOff(name);
  }

  /** False for a workflow that failed in this run. */
  mayWrite(name: string): boolean {
    return !this.#failedThisRun.has(name);
  }

  /** Why `name` is on the failed list; undefined when it is not. */
  failureOf(name: string): string | undefined {
    return this.#failed.get(name);
  }

  failedNames(): string[] {
    return this.#failed.names();
  }

  owedNotifications(): OwedNotifications {
    return { pending: this.#pending.names(), failed: this.#failedCallbacks.entries() };
  }

  /** Workflows owed any notification. */
  owedCount(): number {
    return new Set([...this.#pending.names(), ...this.#failedCallbacks.names()]).size;
  }

  /** `stored` with this run's decisions merged into its three lists (see the top of the file). */
  merge(stored: Settings): Settings {
    return {
      ...stored,
      failed_workflows: this.#failed
        .merge(stored.failed_workflows.map((name): [string, string] => [name, '']))
        .map(([name]) => name),
      pending_callbacks: this.#pending
        .merge(pendingCallbacksOf(stored).map((name): [string, true] => [name, true]))
        .map(([name]) => name),
      failed_callbacks: Object.fromEntries(
        this.#failedCallbacks.merge(failedCallbacksOf(stored.failed_callbacks)),
      ),
    };
  }
}

/** The `pending_callbacks` of stored settings; whatever is not a name is ignored. */
function pendingCallbacksOf(settings: Settings): string[] {
  const pending = settings.pending_callbacks;
  return Array.isArray(pending)
    ? pending.filter((name): name is string => typeof name === 'string')
    : [];
}
