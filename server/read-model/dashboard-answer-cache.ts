/**
 * Dashboard answers made once per second per URL. An answer depends only on the snapshot,
 * the request and the clock (windows end today, stuck workflows are counted up to now), so
 * every request for the same URL in the same second, on the same snapshot, shares it:
 * under load a page costs one rendering a second, however many ask for it.
 */
import { LruCache } from './lru-cache.js';
import type { DashboardSnapshot } from './dashboard-snapshot.js';

interface Made<T> {
  snapshot: DashboardSnapshot;
  second: number;
  value: T;
}

export class DashboardAnswerCache {
  private readonly made: LruCache<string, Made<unknown>>;

  /** `maxBytes` bounds what the kept answers weigh (about their size in characters). */
  constructor(
    maxBytes: number,
    private readonly weigh: (value: unknown) => number,
  ) {
    this.made = new LruCache(maxBytes, (made) => this.weigh(made.value));
  }

  answer<T>(key: string, snapshot: DashboardSnapshot, second: number, make: () => T): T {
    const kept = this.made.get(key);
    if (kept && kept.snapshot === snapshot && kept.second === second) return kept.value as T;
    const value = make();
    this.made.set(key, { snapshot, second, value });
    return value;
  }
}
