/**
 * The website's in-process copy of what list pages show: one packed summary per workflow
 * (workflow-summary.ts, packed-summary.ts) and all names in order. It is read in full
 * once, then kept fresh by following the database's `_changes` feed every
 * `pollIntervalMs`, so that a page view never reads documents from CouchDB.
 */
import type { Logger } from '../lib/logger.js';
import { CouchError, isNotFound } from '../couch/errors.js';
import { errorMessage } from '../lib/errors.js';
import { SortedNames } from './sorted-names.js';
import { packSummary, type PackedSummary } from './packed-summary.js';
import { summarizeWorkflow } from './workflow-summary.js';
import type { Sequence, WorkflowChange, WorkflowSource } from './workflow-source.js';

export interface WorkflowIndexOptions {
  source: WorkflowSource;
  logger: Logger;
  /** Pause between polls of the changes feed when it is caught up. */
  pollIntervalMs?: number;
  /** Documents per read of the full database and per poll of the feed. */
  batchSize?: number;
  /** Longest wait between attempts when CouchDB cannot be read. */
  maxRetryDelayMs?: number;
  now?: () => number;
}

/** A workflow as the index holds it; `packed` changes (as a value) exactly when its summary does. */
export interface IndexedWorkflow {
  name: string;
  packed: PackedSummary;
}

export type IndexState = 'starting' | 'loading' | 'ready' | 'stopped';

export interface IndexStatus {
  state: IndexState;
  workflows: number;
  /** Milliseconds since the index last caught up with the feed (undefined before that). */
  lagMs: number | undefined;
  lastError: string | undefined;
}

export class WorkflowIndex {
  private summaries = new Map<string, PackedSummary>();
  private readonly order = new SortedNames();
  private readonly source: WorkflowSource;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxRetryDelayMs: number;
  private readonly now: () => number;
  private sequence: Sequence | undefined;
  private state: IndexState = 'starting';
  private caughtUpAt: number | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];
  /** Grows whenever the content changes: caches of derived answers key on it. */
  private contentVersion = 0;
  private readonly changeListeners: Array<(names: readonly string[] | 'all') => void> = [];

  constructor(options: WorkflowIndexOptions) {
    this.source = options.source;
    this.logger = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1500;
    this.batchSize = options.batchSize ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  get version(): number {
    return this.contentVersion;
  }

  get size(): number {
    return this.summaries.size;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  status(): IndexStatus {
    return {
      state: this.state,
      workflows: this.summaries.size,
      lagMs: this.caughtUpAt === undefined ? undefined : this.now() - this.caughtUpAt,
      lastError: this.lastError,
    };
  }

  /**
   * Whether the index follows the feed right now: ready, and its last read of the feed
   * succeeded. Only then does a change to a document reach `onChange` listeners promptly.
   */
  get following(): boolean {
    return this.state === 'ready' && this.lastError === undefined;
  }

  /**
   * Calls `listener` with the names of the documents each applied batch of the feed
   * changed (design documents included), or 'all' when the whole database was read again.
   */
  onChange(listener: (names: readonly string[] | 'all') => void): void {
    this.changeListeners.push(listener);
  }

  private announce(names: readonly string[] | 'all'): void {
    for (const listener of this.changeListeners) listener(names);
  }

  find(name: string): IndexedWorkflow | undefined {
    const packed = this.summaries.get(name);
    return packed === undefined ? undefined : { name, packed };
  }

  /** Workflows `offset … offset+limit` of all, in RequestName order. */
  slice(offset: number, limit: number): IndexedWorkflow[] {
    return this.order
      .slice(offset, offset + limit)
      .map((name) => ({ name, packed: this.summaries.get(name) as PackedSummary }));
  }

  /** Starts reading; resolves once the whole database has been read (it retries until then). */
  start(): Promise<void> {
    if (this.state === 'starting') {
      this.state = 'loading';
      this.schedule(0, () => this.load(0));
    }
    return this.whenReady();
  }

  private whenReady(): Promise<void> {
    if (this.state === 'ready' || this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Stops following the feed. A read in flight is not waited for: its answer is dropped. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.timer);
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private schedule(delayMs: number, step: () => Promise<void>): void {
    if (this.state === 'stopped') return;
    this.timer = setTimeout(() => void step(), delayMs);
  }

  private async load(failures: number): Promise<void> {
    const started = this.now();
    try {
      const sequence = await this.source.currentSequence();
      // Read into new structures: a reload keeps serving the old content until it is done.
      const summaries = new Map<string, PackedSummary>();
      for await (const docs of this.source.readAll(this.batchSize)) {
        if (this.state === 'stopped') return;
        for (const doc of docs) {
          const summary = summarizeWorkflow(doc);
          if (summary) summaries.set(summary.name, packSummary(summary));
        }
      }
      this.summaries = summaries;
      this.order.reset([...summaries.keys()]);
      this.sequence = sequence;
      this.contentVersion++;
      this.announce('all');
      this.lastError = undefined;
      this.logger.info(
        { workflows: summaries.size, ms: this.now() - started },
        'workflow index loaded',
      );
      // Changes written while the full read ran are in the feed after `sequence`.
      await this.pollUntilCaughtUp();
      if (this.state === 'stopped') return;
      this.state = 'ready';
      for (const resolve of this.readyWaiters.splice(0)) resolve();
      this.schedule(this.pollIntervalMs, () => this.poll());
    } catch (err) {
      if (this.state === 'stopped') return;
      this.lastError = errorMessage(err);
      const delay = Math.min(this.maxRetryDelayMs, 500 * 2 ** failures);
      const hint = isNotFound(err)
        ? ' (does the database exist? `node cli.js --action setup` creates it)'
        : '';
      this.logger.error(
        { err },
        `reading all workflows failed${hint}; trying again in ${delay} ms`,
      );
      this.schedule(delay, () => this.load(failures + 1));
    }
  }

  private async poll(): Promise<void> {
    try {
      await this.pollUntilCaughtUp();
      if (this.lastError !== undefined) this.logger.info('the changes feed can be read again');
      this.lastError = undefined;
    } catch (err) {
      if (this.state === 'stopped') return;
      const firstFailure = this.lastError === undefined;
      this.lastError = errorMessage(err);
      if (err instanceof CouchError && err.couchStatus === 400) {
        // CouchDB refuses our sequence: the database was recreated or restored since.
        this.logger.warn(
          { err },
          'the changes feed refuses the last sequence; reading all workflows again',
        );
        this.schedule(0, () => this.load(0));
        return;
      }
      if (firstFailure) this.logger.warn({ err }, 'reading the changes feed failed; retrying');
    }
    this.schedule(this.pollIntervalMs, () => this.poll());
  }

  private async pollUntilCaughtUp(): Promise<void> {
    for (;;) {
      const { changes, lastSequence } = await this.source.changesSince(
        this.sequence as Sequence,
        this.batchSize,
      );
      if (this.state === 'stopped') return;
      this.apply(changes);
      this.sequence = lastSequence;
      if (changes.length < this.batchSize) {
        this.caughtUpAt = this.now();
        return;
      }
    }
  }

  private apply(changes: readonly WorkflowChange[]): void {
    if (changes.length > 0) this.announce(changes.map((change) => change.id));
    const presentBefore = new Map<string, boolean>();
    for (const change of changes) {
      if (change.id.startsWith('_design/')) continue;
      if (!presentBefore.has(change.id))
        presentBefore.set(change.id, this.summaries.has(change.id));
      const summary = change.deleted ? undefined : summarizeWorkflow(change.doc);
      if (summary && summary.name === change.id)
        this.summaries.set(change.id, packSummary(summary));
      else this.summaries.delete(change.id);
    }
    if (presentBefore.size === 0) return;
    const added: string[] = [];
    const removed: string[] = [];
    for (const [name, before] of presentBefore) {
      const now = this.summaries.has(name);
      if (now && !before) added.push(name);
      if (before && !now) removed.push(name);
    }
    this.order.removeMany(removed);
    this.order.addMany(added);
    this.contentVersion++;
  }
}
