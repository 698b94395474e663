/**
 * A line chart of one dataset's events (or lumisections) over time, as inline SVG built
 * on the server: no script, no external font, readable without CSS. Counts are drawn as
 * steps (a count holds until the next measurement) against the expected total.
 */
import { formatCompact, formatCount, formatDateTime } from './format.js';
import { markup, type SafeHtml } from './html.js';

export interface ChartPoint {
  /** Unix seconds. */
  time: number;
  value: number;
}

export interface ChartOptions {
  title: string;
  /** What is counted, for the axis and tooltips: "events", "lumisections". */
  unit: string;
  /** The expected total, drawn as a dashed line. */
  target: number | undefined;
  /** CSS class that colours the line (by dataset type). */
  tone: string;
}

const WIDTH = 720;
const HEIGHT = 220;
const MARGIN = { left: 58, right: 18, top: 14, bottom: 30 };
const MAX_POINTS = 360;
const DAY = 86_400;

export function eventChart(points: readonly ChartPoint[], options: ChartOptions): SafeHtml {
  const description = `${options.title}: ${options.unit} over time`;
  if (points.length === 0) {
    return markup`<p class="chart-empty">No ${options.unit} recorded yet.</p>`;
  }
  const shown = thin(points);
  const first = shown[0] as ChartPoint;
  const last = shown[shown.length - 1] as ChartPoint;
  // One measurement: the day up to it, never an axis into the future.
  const t0 = first.time === last.time ? first.time - DAY : first.time;
  const t1 = last.time;
  const target = options.target !== undefined && options.target > 0 ? options.target : undefined;
  const yTicks = niceTicks(Math.max(...shown.map((p) => p.value), target ?? 0, 1));
  const yMax = yTicks[yTicks.length - 1] as number;
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (time: number) => round(MARGIN.left + ((time - t0) / (t1 - t0)) * innerWidth);
  const y = (value: number) =>
    round(MARGIN.top + innerHeight - (Math.max(0, value) / yMax) * innerHeight);
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;

  let line = `M${x(first.time)} ${y(first.value)}`;
  for (const point of shown.slice(1)) line += `H${x(point.time)}V${y(point.value)}`;
  const area = `${line}V${y(0)}H${x(first.time)}Z`;

  const grid = yTicks.map(
    (tick) =>
      markup`<line class="grid" x1="${left}" x2="${right}" y1="${y(tick)}" y2="${y(tick)}"/><text class="tick" x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${formatCompact(tick)}</text>`,
  );
  const dates = timeTicks(t0, t1).map((tick, i, all) => {
    const anchor = i === 0 ? 'start' : i === all.length - 1 ? 'end' : 'middle';
    return markup`<text class="tick" x="${x(tick.time)}" y="${HEIGHT - 10}" text-anchor="${anchor}">${tick.label}</text>`;
  });
  const expected =
    target !== undefined &&
    markup`<line class="target" x1="${left}" x2="${right}" y1="${y(target)}" y2="${y(target)}"/><text class="target-label" x="${right}" y="${y(target) - 5}" text-anchor="end">expected ${formatCount(target)}</text>`;
  const dots =
    shown.length <= 60 &&
    shown.map(
      (p) =>
        markup`<circle class="dot" cx="${x(p.time)}" cy="${y(p.value)}" r="3"><title>${formatDateTime(p.time)}: ${formatCount(p.value)} ${options.unit}</title></circle>`,
    );
  return markup`<svg class="chart ${options.tone}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${description}">
<title>${description}</title>
${grid}
${dates}
<path class="area" d="${area}"/>
<path class="line" d="${line}"/>
${expected}
${dots}
</svg>`;
}

/** At most MAX_POINTS points: the last of each time bucket, always keeping the first and last. */
function thin(points: readonly ChartPoint[]): ChartPoint[] {
  if (points.length <= MAX_POINTS) return [...points];
  const first = points[0] as ChartPoint;
  const span = (points[points.length - 1] as ChartPoint).time - first.time || 1;
  const buckets = new Map<number, ChartPoint>();
  for (const point of points)
    buckets.set(Math.floor(((point.time - first.time) / span) * (MAX_POINTS - 1)), point);
  return [first, ...buckets.values()].filter((p, i, all) => i === 0 || p !== all[0]);
}

/** 0 and round steps up to at least `highest`: 0, 250k, 500k, 750k, 1M. */
function niceTicks(highest: number): number[] {
  const rough = highest / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let value = 0; value < highest + step; value += step) {
    ticks.push(value);
    if (value >= highest) break;
  }
  return ticks;
}

/** About five labelled times across the range: dates, or dates with hours when it spans two days or less. */
function timeTicks(t0: number, t1: number): Array<{ time: number; label: string }> {
  const withHours = t1 - t0 <= 2 * DAY;
  const label = (time: number) => {
    const text = formatDateTime(time);
    return withHours ? text.slice(5, 16) : text.slice(0, 10);
  };
  const count = 5;
  const step = (t1 - t0) / (count - 1);
  const ticks: Array<{ time: number; label: string }> = [];
  for (let i = 0; i < count; i++) {
    const time = t0 + i * step;
    const text = label(time);
    if (ticks[ticks.length - 1]?.label !== text) ticks.push({ time, label: text });
  }
  return ticks;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
