/**
 * Dashboard answers made once a minute per URL. An answer depends only on the snapshot,
 * the request and the clock (windows end today, stuck workflows are counted up to now),
 * so every request for the same URL in the same minute, on the same snapshot, shares it:
 * under load a page costs one making a minute, however many ask for it. Made once a
 * second instead, the /dashboard answer (hundreds of KB of JSON at 200,000 workflows)
 * stalled every request queued behind it each second, which is what the p99 showed.
 */
import { LruCache } from './lru-cache.js';
import type { DashboardSnapshot } from './dashboard-snapshot.js';

const ANSWER_PERIOD_SECONDS = 60;

/** The time answers made at `nowMs` count up to, in Unix seconds: the start of its minute. */
export function answerTime(nowMs: number): number {
  const seconds = Math.floor(nowMs / 1000);
  return seconds - (seconds % ANSWER_PERIOD_SECONDS);
}

interface Made<T> {
  at: number;
  value: T;
}

/**
 * Only the newest snapshot's answers are kept: an answer holds no snapshot, and when a newer
 * snapshot is asked for, every answer of the older one goes (kept, they would have held its
 * memory until the cache filled, which on a quiet website is never).
 */
export class DashboardAnswerCache {
  private readonly made: LruCache<string, Made<unknown>>;
  /** The index version of the snapshot the kept answers were made from. */
  private keptVersion = -1;

  /** `maxBytes` bounds what the kept answers weigh (about their size in characters). */
  constructor(
    maxBytes: number,
    private readonly weigh: (value: unknown) => number,
  ) {
    this.made = new LruCache(maxBytes, (made) => this.weigh(made.value));
  }

  /**
   * The answer kept for `key` on `snapshot` at time `at`, else `make()`'s, kept unless a
   * newer snapshot's answers are kept (a request that began before the newer one was built).
   */
  answer<T>(key: string, snapshot: DashboardSnapshot, at: number, make: () => T): T {
    if (snapshot.indexVersion < this.keptVersion) return make();
    if (snapshot.indexVersion > this.keptVersion) {
      this.made.clear();
      this.keptVersion = snapshot.indexVersion;
    }
    const kept = this.made.get(key);
    if (kept && kept.at === at) return kept.value as T;
    const value = make();
    this.made.set(key, { at, value });
    return value;
  }

  /** What the kept answers weigh, as `weigh` counts. */
  get bytes(): number {
    return this.made.weight;
  }
}
