/**
 * The dashboards' snapshot, rebuilt when the database changes (the website's index follows
 * its update sequence; its version moves with every change it applies). One build runs at
 * a time and every request shares it. While a newer snapshot is being built, the previous
 * one is answered, as long as it has been outdated for less than `maxStaleMs`; a request
 * with nothing to answer waits for the build up to `maxWaitMs`, then gets a 503.
 */
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { DashboardSnapshot } from '../read-model/dashboard-snapshot.js';
import { serviceUnavailable } from './http-errors.js';

export interface DashboardCacheOptions {
  /** The index's current version. */
  version: () => number;
  build: () => Promise<DashboardSnapshot>;
  logger: Logger;
  maxStaleMs: number;
  maxWaitMs: number;
  now?: () => number;
}

export class DashboardCache {
  private current: DashboardSnapshot | undefined;
  /** When a request first found `current` outdated. */
  private outdatedSince: number | undefined;
  private building: Promise<DashboardSnapshot> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: DashboardCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The index version the snapshot answered now was built from (-1: none yet). */
  get builtFrom(): number {
    return this.current?.indexVersion ?? -1;
  }

  async snapshot(): Promise<DashboardSnapshot> {
    const wanted = this.options.version();
    const current = this.current;
    if (current && current.indexVersion >= wanted) return current;
    const now = this.now();
    this.outdatedSince ??= now;
    const build = this.build();
    if (current && now - this.outdatedSince < this.options.maxStaleMs) {
      build.catch(() => undefined);
      return current;
    }
    return this.fresh(wanted, now + this.options.maxWaitMs);
  }

  /** Waits (until `deadline`) for a snapshot at least as new as index version `wanted`. */
  private async fresh(wanted: number, deadline: number): Promise<DashboardSnapshot> {
    for (;;) {
      const snapshot = await this.until(this.build(), deadline);
      if (snapshot.indexVersion >= wanted) return snapshot;
    }
  }

  private until<T>(promise: Promise<T>, deadline: number): Promise<T> {
    const wait = deadline - this.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            serviceUnavailable(
              'the campaign dashboards are being computed from the database (after a restart or a large change this can take minutes); try again shortly',
              30,
            ),
          ),
        Math.max(0, wait),
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** The build in progress, or a new one. */
  private build(): Promise<DashboardSnapshot> {
    this.building ??= this.options
      .build()
      .then((snapshot) => {
        if (!this.current || snapshot.indexVersion >= this.current.indexVersion) {
          this.current = snapshot;
          this.outdatedSince = undefined;
        }
        this.options.logger.debug(
          { indexVersion: snapshot.indexVersion, ms: snapshot.buildMs },
          'campaign dashboards rebuilt',
        );
        return snapshot;
      })
      .catch((err: unknown) => {
        this.options.logger.warn(
          { err },
          `building the campaign dashboards failed: ${errorMessage(err)}`,
        );
        throw err;
      })
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }
}
