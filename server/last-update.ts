/**
 * When the last update run started (`last_dbs_update_date` of the settings document),
 * for the page header. Read at most every `maxAgeMs`; a visitor never waits for it
 * except on the very first page, and a failed read keeps the last known value.
 */
import type { SettingsRepository } from '../couch/settings.js';
import type { Logger } from '../lib/logger.js';
import { asNumber } from './sanitize.js';

export class LastUpdateClock {
  private value: number | undefined;
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly logger: Logger,
    private readonly maxAgeMs = 10_000,
  ) {}

  /** The last value read, without reading (for pages that must not wait). */
  get known(): number | undefined {
    return this.value;
  }

  /** Unix seconds of the last update run, or undefined when there has been none (or it cannot be read). */
  async lastUpdate(): Promise<number | undefined> {
    if (Date.now() - this.readAt > this.maxAgeMs) {
      this.reading ??= this.read().finally(() => (this.reading = undefined));
      if (this.readAt === 0) await this.reading;
    }
    return this.value;
  }

  private async read(): Promise<void> {
    try {
      const seconds = asNumber((await this.settings.get()).last_dbs_update_date);
      this.value = seconds !== undefined && seconds > 0 ? seconds : undefined;
    } catch (err) {
      this.logger.warn({ err }, 'reading the time of the last update run failed');
    }
    this.readAt = Date.now();
  }
}
