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
  snapshot: DashboardSnapshot;
  at: number;
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

  /** The answer kept for `key` on `snapshot` at time `at`, else `make()`'s, kept. */
  answer<T>(key: string, snapshot: DashboardSnapshot, at: number, make: () => T): T {
    const kept = this.made.get(key);
    if (kept && kept.snapshot === snapshot && kept.at === at) return kept.value as T;
    const value = make();
    this.made.set(key, { snapshot, at, value });
    return value;
  }
}
