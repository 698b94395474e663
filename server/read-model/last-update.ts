/**
 * What the page header says about the data: the update runs as the settings document
 * records them (also for `/metrics`): when the last complete run started
 * (`last_dbs_update_date`) and the summary of the last run (`last_run`), read at most
 * every `maxAgeMs` (a visitor never waits for it except on the very first page; a failed
 * read keeps the last known values); and whether the data shown may be stale because
 * the database does not answer.
 */
import type { SettingsRepository } from '../../couch/settings.js';
import type { Logger } from '../../lib/logger.js';
import { errorLogFields } from '../../lib/errors.js';
import { asNumber, isRecord } from './stored-fields.js';
import type { IndexStatus } from './workflow-index.js';

/** What the website shows of the last run's summary (updater/run.ts `RunSummary`). */
export interface LastRun {
  /** Unix seconds. */
  finishedAt: number;
  durationSeconds: number;
  changed: number;
  failed: number;
  historyEntriesAdded: number;
  complete: boolean;
}

export interface UpdateRuns {
  /** Unix seconds of the start of the last complete update run. */
  lastUpdate: number | undefined;
  lastRun: LastRun | undefined;
  /** False until the settings have been read once: then "no run" is not known yet. */
  known: boolean;
}

/** How long a page waits for the settings read again (they answer in milliseconds when up). */
const REREAD_WAIT_MS = 250;

function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class UpdateRunsReader {
  private value: UpdateRuns = { lastUpdate: undefined, lastRun: undefined, known: false };
  private readAt = 0;
  private reading: Promise<void> | undefined;
  private reads = 0;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly logger: Logger,
    private readonly maxAgeMs = 10_000,
  ) {}

  /** Moves with every read that succeeded (the values may have changed). */
  get version(): number {
    return this.reads;
  }

  /** The values last read, without reading (for pages that must not wait). */
  get known(): UpdateRuns {
    return this.value;
  }

  /**
   * The values, read again when older than `maxAgeMs`: the very first read is waited for;
   * later ones for at most `REREAD_WAIT_MS`, so that the first page after a quiet spell
   * shows the run that finished meanwhile, and a database that does not answer does not
   * hold pages up (they show what was read before).
   */
  async current(): Promise<UpdateRuns> {
    if (Date.now() - this.readAt > this.maxAgeMs) {
      this.reading ??= this.read().finally(() => (this.reading = undefined));
      if (this.readAt === 0) await this.reading;
      else await waitAtMost(this.reading, REREAD_WAIT_MS);
    }
    return this.value;
  }

  private async read(): Promise<void> {
    try {
      const settings = await this.settings.get();
      const seconds = asNumber(settings.last_dbs_update_date);
      this.value = {
        lastUpdate: seconds !== undefined && seconds > 0 ? seconds : undefined,
        lastRun: lastRunOf(settings.last_run),
        known: true,
      };
      this.reads++;
    } catch (err) {
      // CouchDB not answering (e.g. the embedded server restarting) needs no stack trace.
      this.logger.warn(errorLogFields(err), 'reading the update runs from the settings failed');
    }
    this.readAt = Date.now();
  }
}

/** The stored `last_run`, or undefined when there is none or it is not a run summary. */
export function lastRunOf(value: unknown): LastRun | undefined {
  if (!isRecord(value)) return undefined;
  const startedAt = asNumber(value.startedAt);
  const finishedAt = asNumber(value.finishedAt);
  const changed = asNumber(value.changed);
  const historyEntriesAdded = asNumber(value.historyEntriesAdded);
  const failed = Array.isArray(value.failed) ? value.failed.length : undefined;
  if (
    startedAt === undefined ||
    finishedAt === undefined ||
    changed === undefined ||
    historyEntriesAdded === undefined ||
    failed === undefined ||
    typeof value.complete !== 'boolean'
  ) {
    return undefined;
  }
  return {
    finishedAt,
    durationSeconds: Math.max(0, finishedAt - startedAt),
    changed,
    failed,
    historyEntriesAdded,
    complete: value.complete,
  };
}

/**
 * When the database stopped answering the website, if it does not answer now: the
 * workflow index reads its changes feed every few seconds, so its last failure tells.
 * `since` is the unix second the index last caught up (undefined: never since start).
 */
export function staleData(
  index: { status(): IndexStatus },
  now = Date.now(),
): { since: number | undefined } | undefined {
  const status = index.status();
  if (status.lastError === undefined) return undefined;
  return {
    since: status.lagMs === undefined ? undefined : Math.floor((now - status.lagMs) / 1000),
  };
}
