/**
 * The website's in-process copy of the `requests` database (workflow-table.ts), so that a
 * page view never reads documents from CouchDB, and how it gets there and stays current:
 *
 * 1. At start, from the snapshot file of an earlier run (index-snapshot.ts) when there is
 *    one made by this code, of this database (same address and name, and on Apache
 *    CouchDB the same creation time), not ahead of the database's sequence, and agreeing
 *    with the database on a sample of revisions. Pages answer from it at once.
 *    Otherwise by reading every document (`_all_docs`), while pages answer "starting".
 * 2. Catching up from the `_changes` feed after the snapshot's sequence; a sequence
 *    CouchDB refuses means another database: everything is read again.
 * 3. After a snapshot, checking every document's revision against `_all_docs` (ids and
 *    revisions only) and fixing what differs — what the feed cannot tell, such as purged
 *    documents. Only then is the index `ready` (/healthz says ok).
 * 4. Following the feed every `pollIntervalMs`, and writing a new snapshot when the
 *    content changed (every `snapshotIntervalMs`, and at stop).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../lib/logger.js';
import { CouchError, isNotFound } from '../../couch/errors.js';
import { errorMessage, errorLogFields } from '../../lib/errors.js';
import {
  readSnapshot,
  readSnapshotHeader,
  snapshotPath,
  SnapshotRejected,
  writeSnapshot,
  type SnapshotHeader,
  type SnapshotIdentity,
} from './index-snapshot.js';
import type { Sequence, WorkflowSource } from './workflow-source.js';
import { WorkflowTable, type DocumentState, type IndexedWorkflow } from './workflow-table.js';

export type { IndexedWorkflow } from './workflow-table.js';

export interface WorkflowIndexOptions {
  source: WorkflowSource;
  logger: Logger;
  /** Pause between polls of the changes feed when it is caught up. */
  pollIntervalMs?: number;
  /** Documents per read of the full database and per poll of the feed. */
  batchSize?: number;
  /** Longest wait between attempts when CouchDB cannot be read. */
  maxRetryDelayMs?: number;
  /** Folder of the snapshot; without one every start reads the whole database. */
  snapshotDir?: string;
  /** How often a changed index is written to its snapshot (default 10 min). */
  snapshotIntervalMs?: number;
  now?: () => number;
}

/**
 * starting: nothing to show yet; loading: reading every document; serving: answering
 * from a snapshot while catching up and checking it; ready: current and checked.
 */
export type IndexState = 'starting' | 'loading' | 'serving' | 'ready' | 'stopped';

export interface IndexStatus {
  state: IndexState;
  workflows: number;
  /** Milliseconds since the index last caught up with the feed (undefined before that). */
  lagMs: number | undefined;
  lastError: string | undefined;
  /** Where the content came from at start. */
  loadedFrom: 'snapshot' | 'database' | undefined;
}

/** Sampled revisions that may differ (changed while the site was down) before a snapshot counts as another database's. */
const SAMPLE = 100;
const SAMPLE_MAX_DIFFERENT = 0.25;

export class WorkflowIndex {
  private table = new WorkflowTable();
  private readonly source: WorkflowSource;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxRetryDelayMs: number;
  private readonly snapshotFile: string | undefined;
  private readonly snapshotIntervalMs: number;
  private readonly now: () => number;
  private sequence: Sequence | undefined;
  private state: IndexState = 'starting';
  private loadedFrom: IndexStatus['loadedFrom'];
  private caughtUpAt: number | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];
  private servingWaiters: Array<() => void> = [];
  /** Grows whenever the content changes: caches of derived answers key on it. */
  private contentVersion = 0;
  private snapshotVersion: number | undefined;
  private snapshotWrite: Promise<void> | undefined;
  private identity: SnapshotIdentity | undefined;

  constructor(options: WorkflowIndexOptions) {
    this.source = options.source;
    this.logger = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 1500;
    this.batchSize = options.batchSize ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.snapshotFile =
      options.snapshotDir === undefined
        ? undefined
        : snapshotPath(options.snapshotDir, options.source.location.database);
    this.snapshotIntervalMs = options.snapshotIntervalMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  get version(): number {
    return this.contentVersion;
  }

  get size(): number {
    return this.table.size;
  }

  /** Current with the database and checked: every route answers correctly. */
  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Holds content to answer pages from (possibly still catching up). */
  get serving(): boolean {
    return this.state === 'serving' || this.state === 'ready';
  }

  /** The content, for queries; replaced as a whole when everything is read again. */
  get workflows(): WorkflowTable {
    return this.table;
  }

  status(): IndexStatus {
    return {
      state: this.state,
      workflows: this.table.size,
      lagMs: this.caughtUpAt === undefined ? undefined : this.now() - this.caughtUpAt,
      lastError: this.lastError,
      loadedFrom: this.loadedFrom,
    };
  }

  find(name: string): IndexedWorkflow | undefined {
    return this.table.find(name);
  }

  /** Workflows `offset … offset+limit` of all, in RequestName order. */
  slice(offset: number, limit: number): IndexedWorkflow[] {
    return this.table.slice(offset, limit);
  }

  /** Every RequestName, in order: the index's own strings, no record read. */
  names(): string[] {
    return this.table.orderedNames();
  }

  /** Starts; resolves once the index is ready (it retries until then) or stopped. */
  start(): Promise<void> {
    if (this.state === 'starting') this.schedule(0, () => this.begin(0));
    return this.whenReady();
  }

  whenReady(): Promise<void> {
    if (this.state === 'ready' || this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Resolves once pages can be answered (from a snapshot or a full read), or at stop. */
  whenServing(): Promise<void> {
    if (this.serving || this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => this.servingWaiters.push(resolve));
  }

  /** Stops following the feed, then writes the snapshot if the content changed since the last. */
  async stop(): Promise<void> {
    const wasReady = this.state === 'ready';
    this.state = 'stopped';
    clearTimeout(this.timer);
    clearTimeout(this.snapshotTimer);
    this.wake();
    await this.snapshotWrite;
    if (wasReady) await this.saveSnapshot();
  }

  /** Writes the snapshot now if the content changed since the last one (tests, shutdown). */
  async saveSnapshot(): Promise<void> {
    if (this.snapshotFile === undefined || this.identity === undefined) return;
    if (this.snapshotVersion === this.contentVersion) return;
    if (this.snapshotWrite) return this.snapshotWrite;
    const file = this.snapshotFile;
    const version = this.contentVersion;
    const sequence = this.sequence as Sequence;
    const image = this.table.image();
    const started = this.now();
    this.snapshotWrite = (async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const bytes = await writeSnapshot(file, this.identity as SnapshotIdentity, sequence, image);
        this.snapshotVersion = version;
        this.logger.info(
          { file, workflows: image.order.length, bytes, ms: this.now() - started },
          'index snapshot written',
        );
      } catch (err) {
        this.logger.warn(
          { err, file },
          'writing the index snapshot failed; the next start reads the database',
        );
      } finally {
        this.snapshotWrite = undefined;
      }
    })();
    return this.snapshotWrite;
  }

  private schedule(delayMs: number, step: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void step(), delayMs);
  }

  private wake(): void {
    if (this.serving || this.state === 'stopped')
      for (const resolve of this.servingWaiters.splice(0)) resolve();
    if (this.state === 'ready' || this.state === 'stopped')
      for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private setState(state: IndexState): void {
    if (this.stopped) return;
    this.state = state;
    this.wake();
  }

  /** The first start: a snapshot if one is usable, else a full read; then catch up. */
  private async begin(failures: number): Promise<void> {
    let restored;
    try {
      const database = await this.source.state();
      this.identity = { ...this.source.location, incarnation: database.incarnation };
      restored = await this.restoreSnapshot(database);
    } catch (err) {
      return this.retryLater(failures, err, () => this.begin(failures + 1));
    }
    if (this.stopped) return;
    if (!restored) return this.load(0);
    await this.catchUpAndVerify(0);
  }

  /**
   * Serves from the snapshot when it is usable; false (logged why) when it is not. Throws
   * only when CouchDB cannot be asked (the caller tries again).
   */
  private async restoreSnapshot(database: {
    sequence: Sequence;
    incarnation: string | undefined;
  }): Promise<boolean> {
    const file = this.snapshotFile;
    if (file === undefined) return false;
    const started = this.now();
    let table: WorkflowTable;
    let header: SnapshotHeader;
    try {
      const found = await readSnapshotHeader(file);
      if (found === undefined) {
        this.logger.info({ file }, 'no index snapshot yet: reading every workflow');
        return false;
      }
      header = found;
      checkIdentity(header, this.identity as SnapshotIdentity, database.sequence);
      table = WorkflowTable.fromImage(await readSnapshot(file, header));
      await this.checkSample(table);
    } catch (err) {
      if (isCouchFailure(err)) throw err;
      const reason =
        err instanceof SnapshotRejected ? err.message : `it cannot be read: ${errorMessage(err)}`;
      this.logger.warn(
        { file, reason },
        `the index snapshot is not used (${reason}): reading every workflow`,
      );
      return false;
    }
    if (this.stopped) return true;
    this.table = table;
    this.sequence = header.sequence;
    this.contentVersion++;
    this.snapshotVersion = this.contentVersion;
    this.loadedFrom = 'snapshot';
    this.setState('serving');
    this.logger.info(
      { workflows: table.size, writtenAt: header.writtenAt, ms: this.now() - started },
      'serving from the index snapshot; catching up with the database',
    );
    return true;
  }

  /** Rejects a snapshot whose revisions mostly disagree with the database's. */
  private async checkSample(table: WorkflowTable): Promise<void> {
    const size = table.size;
    if (size === 0) return;
    const step = Math.max(1, Math.floor(size / SAMPLE));
    const sample = table
      .slice(0, size)
      .filter((_, i) => i % step === 0)
      .slice(0, SAMPLE);
    const current = await this.source.revisionsOf(sample.map((w) => w.name));
    const different = sample.filter((w) => current.get(w.name) !== w.revision).length;
    if (different > SAMPLE_MAX_DIFFERENT * sample.length)
      throw new SnapshotRejected(
        `${different} of ${sample.length} sampled workflows differ from the database`,
      );
  }

  private async catchUpAndVerify(failures: number): Promise<void> {
    const started = this.now();
    try {
      await this.pollUntilCaughtUp();
      if (this.stopped) return;
      const fixed = await this.verify();
      if (this.stopped) return;
      // What changed while the check ran is in the feed.
      await this.pollUntilCaughtUp();
      if (this.stopped) return;
      this.lastError = undefined;
      this.logger.info(
        { workflows: this.table.size, fixed, ms: this.now() - started },
        'caught up and checked against the database: ready',
      );
      this.becomeReady();
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof CouchError && err.couchStatus === 400) {
        this.logger.warn(
          { reason: errorMessage(err) },
          'the changes feed refuses the snapshot sequence (another database): reading every workflow',
        );
        return this.load(0);
      }
      this.retryLater(failures, err, () => this.catchUpAndVerify(failures + 1));
    }
  }

  /**
   * Compares every document's revision with the index's and fixes what differs: changed
   * or missing documents are read, workflows the database no longer has are removed.
   */
  private async verify(): Promise<number> {
    const seen = new Set<number>();
    const stale: string[] = [];
    let fixed = 0;
    for await (const page of this.source.revisions(5000)) {
      if (this.stopped) return fixed;
      for (const { id, rev } of page) {
        if (id.startsWith('_design/')) continue;
        const slot = this.table.slotOf(id);
        if (slot !== undefined) seen.add(slot);
        if (slot === undefined || this.table.at(slot)?.revision !== rev) stale.push(id);
      }
      if (stale.length >= this.batchSize) fixed += await this.refresh(stale.splice(0), seen);
    }
    fixed += await this.refresh(stale, seen);
    const gone: string[] = [];
    for (let slot = 0; slot < this.table.slotCount; slot++) {
      const name = this.table.nameAt(slot);
      if (name !== undefined && !seen.has(slot)) gone.push(name);
    }
    const removed = this.table.removeAll(gone);
    if (removed > 0) this.contentVersion++;
    return fixed + removed;
  }

  /** Reads `names` again; the slots they end up in count as seen. */
  private async refresh(names: string[], seen: Set<number>): Promise<number> {
    if (names.length === 0) return 0;
    const docs = await this.source.documents(names);
    const found = new Set<string>();
    const states: DocumentState[] = docs.map((doc) => {
      const id = (doc as { _id: string })._id;
      found.add(id);
      return { id, deleted: false, doc };
    });
    // Listed but gone by now: the feed will say so; remove it already.
    for (const name of names)
      if (!found.has(name)) states.push({ id: name, deleted: true, doc: undefined });
    const changed = this.table.apply(states);
    if (changed > 0) this.contentVersion++;
    for (const name of found) {
      const slot = this.table.slotOf(name);
      if (slot !== undefined) seen.add(slot);
    }
    return changed;
  }

  /** Reads every document into a new table; the old content keeps answering until it is done. */
  private async load(failures: number): Promise<void> {
    const started = this.now();
    if (!this.serving) this.setState('loading');
    try {
      const { sequence, incarnation, documents } = await this.source.state();
      this.identity = { ...this.source.location, incarnation };
      const table = new WorkflowTable(documents);
      for await (const docs of this.source.readAll(this.batchSize)) {
        if (this.stopped) return;
        table.apply(docs.map((doc) => ({ id: (doc as { _id: string })._id, deleted: false, doc })));
      }
      table.compact();
      this.table = table;
      this.sequence = sequence;
      this.contentVersion++;
      this.loadedFrom ??= 'database';
      this.lastError = undefined;
      this.logger.info(
        { workflows: table.size, ms: this.now() - started },
        'every workflow read from the database',
      );
      // Changes written while the full read ran are in the feed after `sequence`.
      await this.pollUntilCaughtUp();
      if (this.stopped) return;
      this.becomeReady();
    } catch (err) {
      if (this.stopped) return;
      this.retryLater(failures, err, () => this.load(failures + 1));
    }
  }

  private becomeReady(): void {
    const first = this.state !== 'ready';
    this.setState('ready');
    if (first) {
      void this.saveSnapshot();
      this.scheduleSnapshots();
    }
    this.schedule(this.pollIntervalMs, () => this.poll());
  }

  private scheduleSnapshots(): void {
    if (this.snapshotFile === undefined || this.state === 'stopped') return;
    this.snapshotTimer = setTimeout(() => {
      void this.saveSnapshot().finally(() => this.scheduleSnapshots());
    }, this.snapshotIntervalMs);
    this.snapshotTimer.unref();
  }

  /** Logs the first failure of a kind (later ones at debug), then tries again with backoff. */
  private retryLater(failures: number, err: unknown, step: () => Promise<void>): void {
    const message = errorMessage(err);
    const delay = Math.min(this.maxRetryDelayMs, 500 * 2 ** failures);
    if (message !== this.lastError) {
      const hint = isNotFound(err)
        ? ' (does the database exist? `node cli.js --action setup` creates it)'
        : '';
      this.logger.warn(
        { err },
        `reading the database failed${hint}; trying again, backing off up to ${this.maxRetryDelayMs / 1000} s`,
      );
    } else {
      this.logger.debug({ delay }, 'reading the database failed again');
    }
    this.lastError = message;
    this.schedule(delay, step);
  }

  private async poll(): Promise<void> {
    try {
      await this.pollUntilCaughtUp();
      if (this.lastError !== undefined) this.logger.info('the changes feed can be read again');
      this.lastError = undefined;
    } catch (err) {
      if (this.stopped) return;
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
      if (firstFailure) {
        // CouchDB not answering (e.g. the embedded server restarting) needs no stack trace.
        this.logger.warn(errorLogFields(err), 'reading the changes feed failed; retrying');
      }
    }
    this.schedule(this.pollIntervalMs, () => this.poll());
  }

  private async pollUntilCaughtUp(): Promise<void> {
    for (;;) {
      const { changes, lastSequence } = await this.source.changesSince(
        this.sequence as Sequence,
        this.batchSize,
      );
      if (this.stopped) return;
      if (this.table.apply(changes) > 0) this.contentVersion++;
      this.sequence = lastSequence;
      if (changes.length < this.batchSize) {
        this.caughtUpAt = this.now();
        return;
      }
    }
  }
}

/** Throws SnapshotRejected when the snapshot is a copy of another database than `here`. */
function checkIdentity(header: SnapshotHeader, here: SnapshotIdentity, sequence: Sequence): void {
  if (header.couchUrl !== here.couchUrl || header.database !== here.database)
    throw new SnapshotRejected(
      `it is a copy of ${header.database} at ${header.couchUrl}, not of ${here.database} at ${here.couchUrl}`,
    );
  if (
    header.incarnation !== undefined &&
    here.incarnation !== undefined &&
    header.incarnation !== here.incarnation
  )
    throw new SnapshotRejected('the database was created again since it was written');
  // pouchdb-server's sequences are numbers: a database behind the snapshot is another one.
  if (
    typeof header.sequence === 'number' &&
    typeof sequence === 'number' &&
    header.sequence > sequence
  )
    throw new SnapshotRejected(
      `it is ahead of the database (sequence ${header.sequence} > ${sequence}): the database was created again or restored`,
    );
}

/** CouchDB could not be asked (as opposed to: the snapshot is unusable). */
function isCouchFailure(err: unknown): boolean {
  return err instanceof CouchError || (err as { code?: unknown })?.code === 'COUCH_UNREACHABLE';
}
