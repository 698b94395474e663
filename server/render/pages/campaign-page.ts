/** `/campaign/<name>`: one campaign's production over time, breakdowns and projected completion. */
import { barChart } from '../bar-chart.js';
import type { CampaignAnswer, Totals } from '../../read-model/dashboard-answers.js';
import { eventChart } from '../event-chart.js';
import { formatCount } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import { filterQuery } from '../links.js';
import type { PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import * as parts from './dashboard-parts.js';
import { layout } from './layout.js';

export function campaignPage(context: PageContext, answer: CampaignAnswer): PagePart[] {
  const { prefix } = context;
  const base = `${prefix}/campaign/${encodeURIComponent(answer.campaign)}`;
  const api = `${prefix}/api/campaign/${encodeURIComponent(answer.campaign)}`;
  const window = `?window=${answer.window.name}`;
  const { summary, projection } = answer;
  const per = answer.window.granularity;
  const cumulative = eventChart(parts.cumulativePoints(answer.production, answer.window), {
    title: `${answer.campaign}: produced events`,
    unit: 'events',
    target: summary.expected_events > 0 ? summary.expected_events : undefined,
    tone: 'type-production',
  });
  const rate = barChart(
    answer.production.map((row) => ({ label: row.period, value: row.events })),
    { title: `${answer.campaign}: events produced`, unit: 'events' },
  );
  const main = markup`<section class="dashboard">
<div class="dashboard-heading">
<h1>Campaign <span class="filter-value">${answer.campaign}</span></h1>
${parts.windowSelector(answer.window.name, (name) => `${base}?window=${name}`)}
</div>
<p class="page-links"><a href="${prefix}/${filterQuery({ name: 'campaign', value: answer.campaign })}">its ${formatCount(summary.workflows)} workflows</a> · <a href="${prefix}/campaigns${window}">all campaigns</a> · JSON: <a href="${api}${window}">${answer.campaign}</a></p>
${parts.asOfLine(answer.as_of)}
<dl class="stat-grid">
<div><dt>Workflows</dt><dd>${formatCount(summary.workflows)}</dd></div>
<div><dt>Expected events</dt><dd>${formatCount(summary.expected_events)}${summary.unknown_expected > 0 ? markup` <span class="muted">+ ${formatCount(summary.unknown_expected)} unknown</span>` : ''}</dd></div>
<div><dt>Produced events</dt><dd>${formatCount(summary.produced_events)}</dd></div>
<div><dt>Completion</dt><dd>${parts.percent(summary.completion_percent)}</dd></div>
<div><dt>Produced, ${answer.window.label}</dt><dd>${parts.count(summary.window_events)}</dd></div>
<div><dt>Last activity</dt><dd>${summary.last_activity ?? '–'}</dd></div>
<div><dt>Projected completion</dt><dd>${projection.completion_date ?? markup`<span class="muted">–</span>`}</dd></div>
</dl>
<p class="projection">${projectionText(answer)}</p>
<div class="charts">
<div class="chart-box"><h3>Produced events, cumulative, per ${per} (dashed: expected)</h3>${cumulative}</div>
<div class="chart-box"><h3>Events produced per ${per}</h3>${rate}</div>
</div>
<div class="table-tools"><span></span>${parts.downloads(`${api}/production.csv${window}`, `${api}${window}`)}</div>
${parts.productionTable(answer.production, per)}
<div class="breakdowns">
<section class="panel">
<div class="panel-heading"><h2>Workflows per status</h2>${parts.downloads(`${api}/status.csv${window}`, `${api}${window}`)}</div>
<table class="data-table compact">
<thead><tr><th scope="col">Status group</th><th scope="col">Workflows</th></tr></thead>
<tbody>
${answer.status_groups.map((row) => markup`<tr><th scope="row">${row.group}</th><td>${formatCount(row.workflows)}</td></tr>`)}
</tbody>
</table>
</section>
<section class="panel">
<div class="panel-heading"><h2>By PWG</h2>${parts.downloads(`${api}/pwg.csv${window}`, `${api}${window}`)}</div>
${totalsTable(
  'PWG',
  answer.pwgs.map((row) => [parts.pwgLabel(row.pwg), row]),
)}
</section>
<section class="panel">
<div class="panel-heading"><h2>By final data tier</h2>${parts.downloads(`${api}/tiers.csv${window}`, `${api}${window}`)}</div>
${totalsTable(
  'Tier',
  answer.tiers.map((row) => [row.tier ?? 'no output', row]),
)}
</section>
</div>
${parts.definitionsNote()}
</section>`;
  return layout(context, `Campaign ${answer.campaign}`, [main]);
}

function projectionText(answer: CampaignAnswer): SafeHtml {
  const p = answer.projection;
  const rate = markup`Recent rate: ${formatCount(p.recent_events)} events in the last ${p.rate_days} days, ${formatCount(Math.round(p.events_per_day))} a day; ${formatCount(p.remaining_events)} events remain.`;
  if (p.completion_date === null) return markup`${rate} ${p.explanation}`;
  return markup`${rate} At that rate the campaign completes around <b>${p.completion_date}</b>: ${p.explanation}`;
}

function totalsTable(label: string, rows: Array<[string, Totals]>): SafeHtml {
  if (rows.length === 0) return markup`<p class="muted">No workflows.</p>`;
  return markup`<div class="table-scroll"><table class="data-table compact">
<thead><tr><th scope="col">${label}</th><th scope="col">Workflows</th><th scope="col">Expected</th><th scope="col">Produced</th><th scope="col">Completion</th></tr></thead>
<tbody>
${rows.map(
  ([name, row]) =>
    markup`<tr><th scope="row">${name}</th><td>${formatCount(row.workflows)}</td><td>${formatCount(row.expected_events)}${row.unknown_expected > 0 ? markup` <span class="muted">+${formatCount(row.unknown_expected)} unknown</span>` : ''}</td><td>${formatCount(row.produced_events)}</td><td>${parts.percent(row.completion_percent)}</td></tr>`,
)}
</tbody>
</table></div>`;
}
