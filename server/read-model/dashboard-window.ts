/**
 * The time windows the dashboards offer: the last 30 or 120 days (drawn per day), the
 * last year or all time (per month). Days are UTC days; a window ends today.
 */
import { dayOfTime, type DayNumber, type Granularity } from './day-series.js';

export const WINDOW_NAMES = ['30d', '120d', '1y', 'all'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

const DEFINITIONS: Record<WindowName, { days: number | undefined; label: string }> = {
  '30d': { days: 30, label: 'last 30 days' },
  '120d': { days: 120, label: 'last 120 days' },
  '1y': { days: 365, label: 'last year' },
  all: { days: undefined, label: 'all time' },
};

export const WINDOW_LABELS: Record<WindowName, string> = {
  '30d': '30 days',
  '120d': '120 days',
  '1y': '1 year',
  all: 'all',
};

export interface TimeWindow {
  name: WindowName;
  label: string;
  /** First day in the window; undefined for all time (from the first day with data). */
  from: DayNumber | undefined;
  /** Today. */
  to: DayNumber;
  granularity: Granularity;
}

export function timeWindow(name: WindowName, nowSeconds: number): TimeWindow {
  const { days, label } = DEFINITIONS[name];
  const to = dayOfTime(nowSeconds);
  return {
    name,
    label,
    from: days === undefined ? undefined : to - days + 1,
    to,
    granularity: days !== undefined && days <= 120 ? 'day' : 'month',
  };
}
