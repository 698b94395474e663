/**
 * The simulated world's time as a clock that runs: the world's time moves only in steps
 * (`world.advance()`), and between two steps this clock adds the real time since it first
 * saw the current step, so "3s ago" counts seconds on a page and two update runs between
 * steps stamp different times. It never goes back (a step shorter than the real time
 * since the previous one is waited out). The demo reads it for everything it stamps and
 * shows, and serves it to other commands (GET /simulator/clock, read with STATS_CLOCK_URL).
 */
import type { World } from './world/world.js';

export class SimulatedClock {
  private step = Number.NaN;
  private stepSeenAt = 0;
  private last = 0;

  constructor(
    private readonly world: Pick<World, 'now'>,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** Epoch milliseconds, as `Date.now()` gives them. */
  now = (): number => {
    const step = this.world.now();
    const real = this.realNow();
    if (step !== this.step) {
      this.step = step;
      this.stepSeenAt = real;
    }
    this.last = Math.max(this.last, step * 1000 + (real - this.stepSeenAt));
    return this.last;
  };
}
