/**
 * Events gained (or lost) per UTC day, as the `production` view of the `dashboards` design document sums them, with
 * running totals: window sums, cumulative values and day/month buckets in O(log n).
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC). */
export type DayNumber = number;

export function dayNumber(year: number, month: number, day: number): DayNumber {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function dayOfTime(unixSeconds: number): DayNumber {
  return Math.floor(unixSeconds / 86_400);
}

/** 2025-01-31 */
export function isoDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 2025-01 */
export function isoMonth(day: DayNumber): string {
  return isoDay(day).slice(0, 7);
}

/** The first day of the month `day` is in. */
export function monthStart(day: DayNumber): DayNumber {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
}

function nextMonthStart(day: DayNumber): DayNumber {
  const date = new Date(day * DAY_MS);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
}

export type Granularity = 'day' | 'month';

export interface Bucket {
  /** First day of the bucket (a window's first bucket may start mid-month). */
  start: DayNumber;
  /** Last day of the bucket that lies in the window. */
  end: DayNumber;
  /** "2025-01-31" or "2025-01". */
  period: string;
  events: number;
  /** Events produced up to the end of the bucket, since the beginning. */
  cumulative: number;
}

export class DaySeries {
  static readonly EMPTY = new DaySeries([], []);

  private readonly days: DayNumber[];
  private readonly changes: number[];
  /** Running total up to and including days[i]. */
  private readonly totals: number[];

  /** `days` ascending and distinct, `changes` beside them. */
  constructor(days: DayNumber[], changes: number[]) {
    this.days = days;
    this.changes = changes;
    this.totals = [];
    let total = 0;
    for (const change of changes) this.totals.push((total += change));
  }

  static fromMap(changes: ReadonlyMap<DayNumber, number>): DaySeries {
    const days = [...changes.keys()].filter((day) => changes.get(day) !== 0).sort((a, b) => a - b);
    return new DaySeries(
      days,
      days.map((day) => changes.get(day) as number),
    );
  }

  get total(): number {
    return this.totals[this.totals.length - 1] ?? 0;
  }

  get firstDay(): DayNumber | undefined {
    return this.days[0];
  }

  /** The last day the events changed. */
  get lastDay(): DayNumber | undefined {
    return this.days[this.days.length - 1];
  }

  /** Events produced up to the end of `day`. */
  totalThrough(day: DayNumber): number {
    const i = this.lastIndexAtOrBefore(day);
    return i < 0 ? 0 : (this.totals[i] as number);
  }

  /** Events produced from the start of `from` to the end of `to`. */
  sumBetween(from: DayNumber, to: DayNumber): number {
    return to < from ? 0 : this.totalThrough(to) - this.totalThrough(from - 1);
  }

  /** One bucket per day or per month from `from` to `to` (both included), empty ones too. */
  buckets(from: DayNumber, to: DayNumber, granularity: Granularity): Bucket[] {
    const buckets: Bucket[] = [];
    let start = from;
    while (start <= to) {
      const end = granularity === 'day' ? start : Math.min(to, nextMonthStart(start) - 1);
      const cumulative = this.totalThrough(end);
      buckets.push({
        start,
        end,
        period: granularity === 'day' ? isoDay(start) : isoMonth(start),
        events: cumulative - this.totalThrough(start - 1),
        cumulative,
      });
      start = end + 1;
    }
    return buckets;
  }

  private lastIndexAtOrBefore(day: DayNumber): number {
    let low = 0;
    let high = this.days.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.days[middle] as number) <= day) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }
}
