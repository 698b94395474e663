/**
 * The update run (docs/update-run.md#step-by-step): ReqMgr2 changes since the stored
 * sequence, page by page; each page's documents and histories written before its checkpoint
 * advances the stored sequence, so a run killed at any moment and started again neither
 * skips nor repeats work. Then the workflows whose datasets DBS changed and those WMStats
 * lists as active get their history recalculated, and the PdmV services are told what
 * really changed.
 */
import type { SettingsRepository } from '../couch/settings.js';
import type { Settings } from '../workflow/documents.js';
import type { WorkflowRepository } from '../couch/workflows.js';
import { errorMessage, Stats2Error } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { CALLBACK_RETRY_MAX_AGE_S, planCallbacks } from './callback-retries.js';
import { LookupResolver } from './lookup-resolver.js';
import { planPage } from './page-plan.js';
import { RunLedger } from './run-ledger.js';
import {
  deleteWorkflows,
  recalculateHistories,
  siblingsOf,
  updateDocuments,
  type StepContext,
} from './batch-steps.js';
import type {
  CallbackNotifier,
  CallbackTarget,
  ChangesPage,
  UpdaterUpstream,
} from './upstream-port.js';

export interface UpdateDependencies {
  workflows: WorkflowRepository;
  settings: SettingsRepository;
  upstream: UpdaterUpstream;
  /** Required when `triggers` is not empty. */
  notifier?: CallbackNotifier;
  logger: Logger;
}

export interface UpdateOptions {
  triggers?: readonly CallbackTarget[];
  /** Rows of `_changes` per page (and per checkpoint). */
  pageSize?: number;
  /** Workflows recalculated together (one `datasetlist` round, one bulk write). */
  batchSize?: number;
  /** Unix seconds; injectable so tests can line runs up with simulated time. */
  now?: () => number;
  onProgress?: (progress: RunProgress) => void;
  /** A notification failing for longer than this is given up with a warning (default a week). */
  callbackMaxAgeSeconds?: number;
}

export interface RunProgress {
  phase: 'failed' | 'changes' | 'recalculate' | 'callbacks';
  done: number;
  /** Unknown while the feed is being read. */
  total?: number;
}

export interface RunSummary {
  startedAt: number;
  finishedAt: number;
  changed: number;
  unchanged: number;
  deleted: number;
  recalculated: number;
  historyEntriesAdded: number;
  callbacksSent: number;
  /** Notifications that failed in this run (they stay owed: `callbacksPending`). */
  callbackFailures: number;
  /** Workflows still owed a notification after this run (retried by the next runs). */
  callbacksPending: number;
  failed: string[];
  /** Milliseconds per phase. */
  durations: Record<string, number>;
  /** False when a run-level step failed (e.g. DBS' list of modified datasets): the next run covers it. */
  complete: boolean;
}

/** What the website's update endpoint reports about a one-workflow update. */
/** The exit status of `update`: 1 when a workflow or a notification failed, or the run is incomplete. */
export function runSucceeded(summary: RunSummary): boolean {
  return summary.failed.length === 0 && summary.callbackFailures === 0 && summary.complete;
}

export function oneWorkflowOutcome(summary: RunSummary): {
  changed: boolean;
  failed: boolean;
  documentWritten: boolean;
  historyEntriesAdded: number;
} {
  return {
    changed: summary.changed + summary.deleted + summary.historyEntriesAdded > 0,
    failed: summary.failed.length > 0,
    documentWritten: summary.changed > 0,
    historyEntriesAdded: summary.historyEntriesAdded,
  };
}

/** The error an upstream client raises when ReqMgr2 refuses the stored sequence (CouchDB 1.x integers). */
export function isMalformedSince(err: unknown): boolean {
  return (err as { code?: string }).code === 'MALFORMED_SINCE';
}

const DBS_MODIFIED_SLACK_S = 300;
const BATCHES_AT_ONCE = 4;

export async function runUpdate(
  deps: UpdateDependencies,
  options: UpdateOptions = {},
): Promise<RunSummary> {
  return new UpdateRun(deps, options).execute();
}

/**
 * `--action update --name NAME` (and the website's update endpoint): steps 2 and 3 for
 * one workflow, creating it if new; the feed position and DBS date stay as they are.
 * Rejects with a Stats2Error saying why when the workflow failed (it is then on the failed list).
 */
export async function updateWorkflow(
  name: string,
  deps: UpdateDependencies,
  options: UpdateOptions = {},
): Promise<RunSummary> {
  return new UpdateRun(deps, options).executeOne(name);
}

/** The settings write that records notifications before the writes they announce failed: the run stops. */
class CheckpointError extends Stats2Error {
  constructor(cause: unknown) {
    super(`saving the run's progress failed: ${errorMessage(cause)}`, {
      code: 'CHECKPOINT_FAILED',
      cause,
    });
  }
}

class UpdateRun {
  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly batchSize: number;
  private readonly triggers: readonly CallbackTarget[];
  /** What the steps need besides the upstream answers, which each piece of work is given. */
  private readonly steps: Omit<StepContext, 'resolver'>;
  private settingsWrites: Promise<void> = Promise.resolve();
  /** The failed list and the notifications owed: set from the stored settings when the run starts. */
  #ledger: RunLedger | undefined;
  /** Stored workflows step 3 must see this run (DBS-modified, WMStats-active) and has not yet:
   * bounded by those lists, not by the length of the feed. */
  private readonly stillToRecalculate = new Set<string>();
  private readonly summary: RunSummary;

  constructor(
    private readonly deps: UpdateDependencies,
    private readonly options: UpdateOptions,
  ) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.pageSize = options.pageSize ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.triggers = options.triggers ?? [];
    if (this.triggers.length > 0 && !deps.notifier)
      throw new Error('callbacks asked for, but no notifier given');
    this.steps = {
      upstream: deps.upstream,
      workflows: deps.workflows,
      logger: deps.logger,
      now: this.now,
      // Record the notification before the write: a run killed in between must still send it.
      beforeWrite:
        this.triggers.length > 0
          ? (names) =>
              this.recordPendingCallbacks(names).catch((err: unknown) => {
                throw new CheckpointError(err);
              })
          : undefined,
      mayWrite: (name) => this.ledger.mayWrite(name),
    };
    const startedAt = this.now();
    this.summary = {
      startedAt,
      finishedAt: startedAt,
      changed: 0,
      unchanged: 0,
      deleted: 0,
      recalculated: 0,
      historyEntriesAdded: 0,
      callbacksSent: 0,
      callbackFailures: 0,
      callbacksPending: 0,
      failed: [],
      durations: {},
      complete: true,
    };
  }

  async execute(): Promise<RunSummary> {
    const settings = await this.deps.settings.get();
    this.#ledger = RunLedger.forRun(settings, this.triggers.length > 0);

    // The feed's first page does not depend on step 3's lists: it is asked for meanwhile.
    const firstPage = this.deps.upstream.changes(settings.last_reqmgr_sequence, this.pageSize);
    firstPage.catch(() => undefined); // awaited, and its failure handled, by followChanges
    const dbsCovered = await this.timed('recalculate', () =>
      this.collectActive(settings.last_dbs_update_date),
    );
    await this.timed('failed', () => this.retryFailed(this.ledger.failedNames()));
    await this.timed('changes', () => this.followChanges(settings.last_reqmgr_sequence, firstPage));
    await this.checkpoint(dbsCovered ? { last_dbs_update_date: this.summary.startedAt } : {});
    await this.timed('callbacks', () => this.sendCallbacks());

    this.summary.failed = this.ledger.failedNames();
    this.summary.complete &&= dbsCovered;
    this.summary.finishedAt = this.now();
    await this.checkpoint({ last_run: this.summary });
    return this.summary;
  }

  async executeOne(name: string): Promise<RunSummary> {
    // Only this workflow's entries: a full run beside this update keeps the others.
    const settings = await this.deps.settings.get();
    this.#ledger = RunLedger.forOneWorkflow(settings, name, this.triggers.length > 0);
    await this.timed('changes', () => this.process([name], [], 'changes', this.freshAnswers()));
    await this.checkpoint({});
    await this.timed('callbacks', () => this.sendCallbacks());
    const reason = this.ledger.failureOf(name);
    if (reason !== undefined) {
      throw new Stats2Error(
        `updating ${name} failed: ${reason}; it is on the failed list and retried by the next run`,
        {
          code: 'WORKFLOW_UPDATE_FAILED',
          statusCode: 502,
        },
      );
    }
    this.summary.finishedAt = this.now();
    return this.summary;
  }

  private get ledger(): RunLedger {
    if (this.#ledger === undefined) throw new Error('the run has not read its settings yet');
    return this.#ledger;
  }

  private async retryFailed(names: string[]): Promise<void> {
    if (names.length === 0) return;
    await this.process(names, [], 'failed', this.freshAnswers());
    await this.checkpoint({});
  }

  /**
   * Steps 1–3 page by page. Upstream answers are kept per page, so memory stays bounded
   * on a feed of any length. The rest of step 3 (workflows no page recalculated) runs
   * beside the last page and shares its answers, so that its calls fill the upstream limit
   * while the page's short chain of dependent calls cannot, and nothing is asked twice.
   */
  private async followChanges(
    storedSequence: string | number,
    firstPage: Promise<ChangesPage>,
  ): Promise<void> {
    let since: string | number = storedSequence;
    let asked = firstPage;
    let done = 0;
    for (;;) {
      let page: ChangesPage;
      try {
        page = await asked;
      } catch (err) {
        if (!isMalformedSince(err) || since === 0) throw err;
        this.deps.logger.warn(
          { since },
          'ReqMgr2 refuses the stored sequence (an integer from CouchDB 1.x); reading the whole feed from 0',
        );
        since = 0;
        asked = this.deps.upstream.changes(since, this.pageSize);
        continue;
      }
      const plan = planPage(page, this.pageSize, this.stillToRecalculate);
      const answers = this.freshAnswers();
      const pageDone = this.process(plan.changed, plan.deleted, 'changes', answers).then(
        async () => {
          await this.checkpoint({ last_reqmgr_sequence: page.last_seq });
          done += page.results.length;
          this.options.onProgress?.({
            phase: 'changes',
            done,
            ...(page.pending === undefined ? {} : { total: done + page.pending }),
          });
        },
      );
      if (!plan.last) {
        await pageDone;
        since = page.last_seq;
        asked = this.deps.upstream.changes(since, this.pageSize);
        continue;
      }
      await Promise.all([pageDone, this.recalculateRest(plan.rest, answers)]);
      return;
    }
  }

  /** Step 3 for the workflows nothing has recalculated yet in this run, with `answers`. */
  private recalculateRest(rest: readonly string[], answers: LookupResolver): Promise<void> {
    return this.timed('recalculate', () => this.recalculate(rest, answers, true));
  }

  private freshAnswers(): LookupResolver {
    return new LookupResolver(this.deps.upstream);
  }

  /**
   * Steps 2 and 3 for a set of changed and deleted workflows, with `answers`. Batches are
   * formed from the sorted names, and each asks its own DBS questions (see
   * LookupResolver.fork), so that two identical runs make the same calls whatever the timing.
   */
  private async process(
    changed: string[],
    deleted: string[],
    phase: RunProgress['phase'],
    answers: LookupResolver,
  ): Promise<void> {
    const onPage = new Set([...changed, ...deleted]);
    if (deleted.length > 0) {
      const deletion = await deleteWorkflows(deleted, this.deps.workflows);
      this.summary.deleted += deletion.deleted.length;
      this.ledger.recordGone([...deletion.deleted, ...deletion.absent]);
      for (const [name, reason] of deletion.failed) this.fail(name, reason);
    }
    const work = [...new Set(changed)].filter((name) => this.ledger.mayWrite(name)).sort();
    let done = 0;
    await inBatches(work, this.batchSize, async (batch) => {
      const lineage = answers.fork();
      const ctx = { ...this.steps, resolver: lineage };
      const documents = await updateDocuments(batch, ctx);
      this.summary.changed += documents.written.length;
      this.summary.unchanged += documents.unchanged.length;
      this.summary.deleted += documents.removed.length;
      this.ledger.recordDocuments(documents);
      for (const [name, reason] of documents.failed) this.fail(name, reason);

      // A workflow whose document could not be rebuilt writes nothing this run: no history
      // from its stored, outdated copy (docs/update-run.md#the-failed-list).
      const survivors = batch.filter(
        (name) => !documents.removed.includes(name) && !documents.failed.has(name),
      );
      // The sibling look-up waits for CouchDB to index the batch just written: the batch's
      // own histories are recalculated meanwhile, and the siblings after, with the batch's
      // answers.
      const [siblings] = await Promise.all([
        siblingsOf(survivors, this.deps.workflows, onPage),
        this.recalculateBatch(survivors, ctx),
      ]);
      await this.recalculate(siblings, lineage, false);
      done += batch.length;
      // The feed reports its own progress per page (with the total it announces).
      if (phase !== 'changes') this.options.onProgress?.({ phase, done, total: work.length });
    });
  }

  /** Step 3 for `names`, in batches, each with its own fork of `answers`. */
  private async recalculate(
    names: readonly string[],
    answers: LookupResolver,
    reportProgress: boolean,
  ): Promise<void> {
    const work = names.filter((name) => this.ledger.mayWrite(name));
    let done = 0;
    await inBatches(work, this.batchSize, async (batch) => {
      await this.recalculateBatch(batch, { ...this.steps, resolver: answers.fork() });
      done += batch.length;
      if (reportProgress)
        this.options.onProgress?.({ phase: 'recalculate', done, total: work.length });
    });
  }

  private async recalculateBatch(batch: readonly string[], ctx: StepContext): Promise<void> {
    if (batch.length === 0) return;
    const histories = await recalculateHistories(batch, ctx);
    for (const name of batch) this.stillToRecalculate.delete(name);
    this.summary.recalculated += histories.recalculated;
    this.summary.historyEntriesAdded += histories.appended.length;
    // A history failure must be retried; a success does not clear an earlier document failure
    // (docs/update-run.md#the-failed-list).
    for (const [name, reason] of histories.failed) this.fail(name, reason);
    this.ledger.recordHistories(histories.appended);
  }

  /**
   * Which stored workflows step 3 must recalculate besides the changed ones: those with a
   * dataset DBS changed since the last run, and those WMStats lists as active. Asked
   * first, so that the feed's work can cross them off as it recalculates them.
   */
  private async collectActive(lastDbsUpdate: number): Promise<boolean> {
    const [dbsCovered] = await Promise.all([
      this.addModifiedInDbs(lastDbsUpdate),
      this.addActiveInWmstats(),
    ]);
    return dbsCovered;
  }

  private async addActiveInWmstats(): Promise<void> {
    try {
      for (const name of await this.deps.upstream.activeWorkflows())
        this.stillToRecalculate.add(name);
    } catch (err) {
      this.deps.logger.warn(
        { err },
        'WMStats list of active workflows failed; going on without it',
      );
    }
  }

  /** Adds the stored workflows with a dataset DBS modified; false when DBS could not say. */
  private async addModifiedInDbs(lastDbsUpdate: number): Promise<boolean> {
    // Since 0, DBS lists every dataset it has (millions in production) to find the stored
    // workflows among them: with none stored there is nothing to find.
    if (lastDbsUpdate <= 0 && (await this.deps.workflows.count()) === 0) return true;
    try {
      const datasets = await this.deps.upstream.datasetsModifiedSince(
        Math.max(0, lastDbsUpdate - DBS_MODIFIED_SLACK_S),
      );
      for (const workflows of (
        await this.deps.workflows.namesByKeys('outputDatasets', datasets)
      ).values()) {
        for (const name of workflows) this.stillToRecalculate.add(name);
      }
      return true;
    } catch (err) {
      this.deps.logger.error(
        { err },
        'DBS list of modified datasets failed; the next run looks at them again',
      );
      return false;
    }
  }

  /**
   * Step 5: the notifications owed (pending, or failed in an earlier run and not too old),
   * each workflow's at most once per target. One that fails stays owed (`failed_callbacks`)
   * and is tried again by the next runs.
   */
  private async sendCallbacks(): Promise<void> {
    if (this.triggers.length === 0) {
      this.summary.callbacksPending = this.ledger.owedCount();
      return;
    }
    const now = this.now();
    const owed = this.ledger.owedNotifications();
    const plan = planCallbacks(
      owed.pending,
      owed.failed,
      this.triggers,
      now,
      this.options.callbackMaxAgeSeconds ?? CALLBACK_RETRY_MAX_AGE_S,
    );
    for (const [name, record] of plan.expired) {
      this.deps.logger.warn(
        { workflow: name, targets: record.targets, failingSince: record.since },
        `notification given up: failing since ${new Date(record.since * 1000).toISOString()}`,
      );
      this.ledger.recordGivenUp(name);
    }
    const names = [...plan.send.keys()].sort();
    if (names.length > 0) {
      const docs = await this.deps.workflows.getMany(names);
      let done = 0;
      await Promise.all(
        names.map(async (name) => {
          const doc = docs.get(name);
          const targets = plan.send.get(name) ?? [];
          const failedTargets = doc ? await this.notify(doc, targets) : [];
          this.ledger.recordNotified(name, doc ? targets : ['prod', 'dev'], failedTargets, now);
          this.options.onProgress?.({ phase: 'callbacks', done: ++done, total: names.length });
        }),
      );
    }
    this.summary.callbacksPending = this.ledger.owedCount();
    await this.checkpoint({});
  }

  /** Notifies `targets` of `doc`; the targets whose notification failed. */
  private async notify(
    doc: { _id: string; RequestType?: string | null; PrepID?: string | null },
    targets: readonly CallbackTarget[],
  ): Promise<CallbackTarget[]> {
    const failedTargets: CallbackTarget[] = [];
    for (const target of targets) {
      try {
        const outcome = await (this.deps.notifier as CallbackNotifier).notify(doc, target);
        if (outcome.sent) this.summary.callbacksSent++;
        else
          this.deps.logger.warn(
            { workflow: doc._id, target },
            `no notification: ${outcome.reason ?? 'skipped'}`,
          );
      } catch (err) {
        this.summary.callbackFailures++;
        failedTargets.push(target);
        this.deps.logger.warn(
          { workflow: doc._id, target, err: { message: errorMessage(err) } },
          'notification failed; it is sent again by the next run',
        );
      }
    }
    return failedTargets;
  }

  private async recordPendingCallbacks(names: readonly string[]): Promise<void> {
    if (this.ledger.owe(names).length === 0) return;
    await this.checkpoint({});
  }

  private fail(name: string, reason: string): void {
    this.ledger.recordFailure(name, reason);
    this.deps.logger.warn({ workflow: name, reason }, 'workflow failed; it is retried next run');
  }

  /** Saves the failed list and the notifications owed (and `extra`) after the work they describe is written. */
  private checkpoint(extra: Partial<Settings>): Promise<void> {
    // One at a time: batches run side by side, and each write reflects all decided so far.
    const saved = this.settingsWrites.then(() =>
      this.deps.settings.update((current) => this.ledger.merge({ ...current, ...extra })),
    );
    this.settingsWrites = saved.then(
      () => undefined,
      () => undefined,
    );
    return saved.then(() => undefined);
  }

  private async timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.summary.durations[phase] = (this.summary.durations[phase] ?? 0) + (Date.now() - started);
    }
  }
}

/**
 * Handles `items` in batches, several at once: while one batch waits for CouchDB another
 * keeps the upstream connections busy. Batches are independent (writes re-apply their
 * change on conflict, and a history entry seen twice is appended once), so the result
 * does not depend on which finishes first.
 */
async function inBatches(
  items: readonly string[],
  size: number,
  handle: (batch: string[]) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + size);
      next += size;
      await handle(batch);
    }
  };
  await Promise.all(Array.from({ length: BATCHES_AT_ONCE }, worker));
}
