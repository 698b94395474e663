/**
 * A bar chart of events per day or per month, as inline SVG built on the server like the
 * workflow charts (event-chart.ts): no script, no external font, a title and a tooltip
 * per bar, readable without CSS. A day that lost events (an output invalidated) is a bar
 * below the axis.
 */
import { formatCompact, formatCount } from './format.js';
import { markup, type SafeHtml } from './html.js';

export interface Bar {
  /** "2025-01-31" or "2025-01". */
  label: string;
  value: number;
}

const WIDTH = 720;
const HEIGHT = 220;
const MARGIN = { left: 58, right: 18, top: 14, bottom: 30 };
const X_LABELS = 5;

export function barChart(bars: readonly Bar[], options: { title: string; unit: string }): SafeHtml {
  const description = `${options.title}: ${options.unit} per ${bars[0]?.label.length === 7 ? 'month' : 'day'}`;
  if (bars.length === 0 || bars.every((bar) => bar.value === 0)) {
    return markup`<p class="chart-empty">No ${options.unit} produced in this period.</p>`;
  }
  const ticks = axisTicks(
    Math.min(0, ...bars.map((bar) => bar.value)),
    Math.max(0, ...bars.map((bar) => bar.value)),
  );
  const low = ticks[0] as number;
  const high = ticks[ticks.length - 1] as number;
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number) => round(MARGIN.top + ((high - value) / (high - low)) * innerHeight);
  const slot = innerWidth / bars.length;
  const barWidth = Math.max(1, round(slot * 0.8));
  const x = (i: number) => round(MARGIN.left + i * slot + (slot - barWidth) / 2);
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;

  const grid = ticks.map(
    (tick) =>
      markup`<line class="${tick === 0 ? 'axis' : 'grid'}" x1="${left}" x2="${right}" y1="${y(tick)}" y2="${y(tick)}"/><text class="tick" x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${formatCompact(tick)}</text>`,
  );
  // About X_LABELS labels under their bars, kept inside the plot (a date is ~70 units wide).
  const every = Math.max(1, Math.ceil(bars.length / X_LABELS));
  const labels = bars.map((bar, i) => {
    if (i % every !== 0) return '';
    const center = MARGIN.left + i * slot + slot / 2;
    const position = round(Math.min(right - 36, Math.max(left + 36, center)));
    return markup`<text class="tick" x="${position}" y="${HEIGHT - 10}" text-anchor="middle">${bar.label}</text>`;
  });
  const rects = bars.map((bar, i) => {
    if (bar.value === 0) return '';
    const top = y(Math.max(0, bar.value));
    const height = Math.max(1, round(Math.abs(y(bar.value) - y(0))));
    return markup`<rect class="${bar.value < 0 ? 'bar loss' : 'bar'}" x="${x(i)}" y="${top}" width="${barWidth}" height="${height}"><title>${bar.label}: ${formatCount(bar.value)} ${options.unit}</title></rect>`;
  });
  return markup`<svg class="chart bars" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${description}">
<title>${description}</title>
${grid}
${labels}
${rects}
</svg>`;
}

/** Round steps from at most `low` (≤ 0) to at least `high` (≥ 0), 0 included. */
function axisTicks(low: number, high: number): number[] {
  const span = Math.max(high - low, 1);
  const rough = span / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const first = Math.floor(low / step) * step;
  const ticks: number[] = [];
  for (let value = first; ; value += step) {
    ticks.push(Math.abs(value) < step / 1e6 ? 0 : value);
    if (value >= high) break;
  }
  if (ticks.length === 1) ticks.push(step);
  return ticks;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
