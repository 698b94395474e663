/**
 * Where a run's wall time goes: activities (upstream calls, CouchDB requests) begin and
 * end, possibly overlapping; the clock adds up the time spent in each combination of
 * busy activities ("upstream", "couch", "couch+upstream", or "none": neither in flight,
 * so the process is computing or waiting on a timer).
 */
export type ActivityState = string;

export class ActivityClock {
  private readonly outstanding = new Map<string, number>();
  private readonly spentMs = new Map<ActivityState, number>();
  /** Integral of the number outstanding over time, per activity. */
  private readonly outstandingMs = new Map<string, number>();
  private since = performance.now();

  begin(activity: string): void {
    this.advance();
    this.outstanding.set(activity, (this.outstanding.get(activity) ?? 0) + 1);
  }

  end(activity: string): void {
    this.advance();
    this.outstanding.set(activity, Math.max(0, (this.outstanding.get(activity) ?? 0) - 1));
  }

  /** Starts counting afresh (outstanding activities stay outstanding). */
  reset(): void {
    this.spentMs.clear();
    this.outstandingMs.clear();
    this.since = performance.now();
  }

  /** Milliseconds spent in each state since the start or the last reset. */
  totals(): Record<ActivityState, number> {
    this.advance();
    return Object.fromEntries(this.spentMs);
  }

  /** Mean number of `activity` outstanding while at least one was. */
  meanOutstanding(activity: string): number {
    this.advance();
    const busyMs = [...this.spentMs]
      .filter(([state]) => state.split('+').includes(activity))
      .reduce((total, [, ms]) => total + ms, 0);
    return busyMs === 0 ? 0 : (this.outstandingMs.get(activity) ?? 0) / busyMs;
  }

  private advance(): void {
    const now = performance.now();
    const elapsed = now - this.since;
    const state = this.state();
    this.spentMs.set(state, (this.spentMs.get(state) ?? 0) + elapsed);
    for (const [activity, count] of this.outstanding)
      this.outstandingMs.set(activity, (this.outstandingMs.get(activity) ?? 0) + count * elapsed);
    this.since = now;
  }

  private state(): ActivityState {
    const busy = [...this.outstanding]
      .filter(([, count]) => count > 0)
      .map(([activity]) => activity)
      .sort();
    return busy.length === 0 ? 'none' : busy.join('+');
  }
}
