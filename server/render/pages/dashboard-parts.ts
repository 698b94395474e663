/** Pieces the campaign pages and the dashboard share: window links, downloads, numbers, the definitions note. */
import type { AsOf, ProductionRow, WindowInfo } from '../../read-model/dashboard-answers.js';
import type { ChartPoint } from '../event-chart.js';
import { RATE_DAYS } from '../../read-model/dashboard-answers.js';
import { WINDOW_LABELS, WINDOW_NAMES, type WindowName } from '../../read-model/dashboard-window.js';
import { formatCount, formatDateTime } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import { GROUP_STATUSES, STATUS_GROUP_LABELS } from '../../read-model/status-groups.js';
import { timeAgo } from './parts.js';

/** Links to the same page in each window; the current one marked. */
export function windowSelector(
  current: WindowName,
  href: (window: WindowName) => string,
): SafeHtml {
  const links = WINDOW_NAMES.map((name) =>
    name === current
      ? markup`<a href="${href(name)}" aria-current="page">${WINDOW_LABELS[name]}</a>`
      : markup`<a href="${href(name)}">${WINDOW_LABELS[name]}</a>`,
  );
  return markup`<nav class="window-select" aria-label="Time window"><span class="muted">Window:</span> ${links}</nav>`;
}

/** "CSV · JSON" links of a table. */
export function downloads(csv: string, json: string): SafeHtml {
  return markup`<span class="downloads"><a href="${csv}" download>CSV</a> · <a href="${json}">JSON</a></span>`;
}

export function asOfLine(asOf: AsOf): SafeHtml {
  const seconds = Math.floor(Date.parse(asOf.computed_at) / 1000);
  return markup`<p class="as-of muted">Counted ${timeAgo(seconds)} (${formatDateTime(seconds)}), at database update sequence <code>${String(asOf.update_seq).slice(0, 24)}</code>.</p>`;
}

export function count(value: number | null): string {
  return value === null ? '–' : formatCount(value);
}

export function percent(value: number | null): SafeHtml {
  if (value === null) return markup`<span class="muted">–</span>`;
  return markup`<span class="completion-cell"><progress max="100" value="${Math.min(100, Math.max(0, value))}"></progress> ${value.toFixed(2)}%</span>`;
}

export function pwgLabel(pwg: string | null): string {
  return pwg ?? 'none';
}

/**
 * The cumulative curve: the level before the window, then the level at the end of each
 * day or month (the current one ends now).
 */
export function cumulativePoints(rows: readonly ProductionRow[], window: WindowInfo): ChartPoint[] {
  const first = rows[0];
  if (first === undefined) return [];
  const end = Date.parse(`${window.to}T00:00:00Z`) / 1000 + 86_400;
  return [
    { time: periodBounds(first.period).start, value: first.cumulative_events - first.events },
    ...rows.map((row) => ({
      time: Math.min(periodBounds(row.period).next, end),
      value: row.cumulative_events,
    })),
  ];
}

/** Start of a day ("2025-01-31") or month ("2025-01") and of the next one, in unix seconds. */
function periodBounds(period: string): { start: number; next: number } {
  const [year, month, day] = period.split('-').map(Number) as [number, number, number | undefined];
  return day === undefined
    ? { start: Date.UTC(year, month - 1, 1) / 1000, next: Date.UTC(year, month, 1) / 1000 }
    : {
        start: Date.UTC(year, month - 1, day) / 1000,
        next: Date.UTC(year, month - 1, day + 1) / 1000,
      };
}

/** A table of the production rows (the numbers behind the charts), newest first. */
export function productionTable(
  rows: readonly ProductionRow[],
  granularity: 'day' | 'month',
): SafeHtml {
  if (rows.length === 0) return markup``;
  const body = [...rows]
    .reverse()
    .map(
      (row) =>
        markup`<tr><td>${row.period}</td><td>${formatCount(row.events)}</td><td>${formatCount(row.cumulative_events)}</td></tr>`,
    );
  return markup`<details>
<summary>The numbers per ${granularity} (${formatCount(rows.length)})</summary>
<table class="data-table compact">
<thead><tr><th>${granularity === 'day' ? 'Day (UTC)' : 'Month (UTC)'}</th><th>Events produced</th><th>Produced since the beginning</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</details>`;
}

/** "How these numbers are made": the definitions, on every dashboard page. */
export function definitionsNote(): SafeHtml {
  const groups = Object.entries(GROUP_STATUSES).map(
    ([group, statuses]) =>
      markup`<li><b>${STATUS_GROUP_LABELS[group as keyof typeof GROUP_STATUSES]}</b>: ${statuses.join(', ')}</li>`,
  );
  return markup`<details class="definitions">
<summary>How these numbers are made</summary>
<ul>
<li><b>Produced events</b> of a workflow: the events of its final output dataset (the last of <code>OutputDatasets</code>, the most processed tier) in its latest history entry. An output DBS marks INVALID or DELETED counts 0 from the history entry that first says so: that day loses its events.</li>
<li><b>Expected events</b>: the workflow's <code>TotalEvents</code>. When it is −1 (or missing) it is unknown: left out of the sums and counted under "unknown".</li>
<li><b>Completion</b>: produced ÷ expected, over the workflows whose expected events are known.</li>
<li><b>Campaigns</b>: a workflow belongs to each of its campaigns, so campaign totals can add up to more than the whole; totals across campaigns count each workflow once.</li>
<li><b>PWG</b>: the physics group of an McM PrepID (<code>task_HIG-RunIISummer20UL18wmLHEGEN-00123</code> → HIG); workflows with other PrepIDs (ReReco, RelVal, tests) count under "none".</li>
<li><b>Events per day or month</b>: the change of each workflow's produced events between successive history entries, dated by the entry (UTC days); months add up their days. A workflow deleted from ReqMgr2 leaves with its history.</li>
<li><b>Last activity</b>: the last day the produced events changed.</li>
<li><b>Stuck</b>: running workflows whose final output has not grown for the chosen number of days, counted from the later of their last growth and the start of their current run of running statuses, up to the start of the current minute (the dashboards are made once a minute).</li>
<li><b>Projected completion</b>: the remaining events (expected − produced of each workflow, never below 0, over workflows with known expected events that are not aborted, rejected or failed) divided by the recent rate, the events of the last ${RATE_DAYS} days (today included) ÷ ${RATE_DAYS}. Shown only when that rate is positive.</li>
<li><b>Status groups</b>: <ul>${groups}<li><b>other</b>: any other status, or none</li></ul></li>
<li>The daily numbers come from CouchDB views (design document <code>dashboards</code>), the counts per workflow from the site's own copy of every workflow; both are taken again after each change of the database.</li>
</ul>
</details>`;
}
