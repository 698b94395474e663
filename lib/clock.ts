/**
 * What "now" is, in epoch milliseconds as `Date.now()` gives them: the system clock, or
 * the simulated world's when the demo runs (and for every command pointed at it with
 * STATS_CLOCK_URL). Everything that stamps a time into the data or shows a time relative
 * to now reads one; operational timing (durations, timeouts, reuse ages) stays on the
 * system clock.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** The clock's unix second (what the stored documents hold). */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}
