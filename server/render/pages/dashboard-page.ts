/** `/dashboard`: production across all campaigns, the most active campaigns, stuck workflows, PWGs. */
import { barChart } from '../bar-chart.js';
import { STUCK_DAYS_DEFAULT, type DashboardAnswer } from '../../read-model/dashboard-answers.js';
import type { WindowName } from '../../read-model/dashboard-window.js';
import { formatCount } from '../format.js';
import { markup } from '../html.js';
import type { PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import * as parts from './dashboard-parts.js';
import { eventChart } from '../event-chart.js';
import { layout } from './layout.js';

/** Stuck workflows the page lists (the CSV and JSON list more). */
const STUCK_SHOWN = 100;
const STUCK_CHOICES = [3, 7, 14, 30];

export function dashboardPage(context: PageContext, answer: DashboardAnswer): PagePart[] {
  const { prefix } = context;
  const stuckDays = answer.stuck.days;
  const query = (window: WindowName, days = stuckDays) =>
    `?window=${window}${days === STUCK_DAYS_DEFAULT ? '' : `&stuck_days=${days}`}`;
  const here = query(answer.window.name);
  const api = `${prefix}/api/dashboard`;
  const per = answer.window.granularity;
  const { summary } = answer;
  const rate = barChart(
    answer.production.map((row) => ({ label: row.period, value: row.events })),
    { title: 'All campaigns: events produced', unit: 'events' },
  );
  const cumulative = eventChart(parts.cumulativePoints(answer.production, answer.window), {
    title: 'All campaigns: produced events',
    unit: 'events',
    target: undefined,
    tone: 'type-valid',
  });
  const stuckChoices = STUCK_CHOICES.map((days) =>
    days === stuckDays
      ? markup`<a href="${prefix}/dashboard${query(answer.window.name, days)}" aria-current="page">${days} days</a>`
      : markup`<a href="${prefix}/dashboard${query(answer.window.name, days)}">${days} days</a>`,
  );
  const stuckRows = answer.stuck.workflows
    .slice(0, STUCK_SHOWN)
    .map(
      (row) =>
        markup`<tr><th scope="row"><a class="wf-link" href="${prefix}/workflow/${encodeURIComponent(row.workflow)}">${row.workflow}</a></th><td>${row.status ?? ''}</td><td>${formatCount(row.quiet_days)}</td><td>${row.last_growth?.slice(0, 10) ?? 'never'}</td><td>${row.campaigns.map((campaign, i) => markup`${i > 0 ? ', ' : ''}<a href="${prefix}/campaign/${encodeURIComponent(campaign)}">${campaign}</a>`)}</td><td>${parts.pwgLabel(row.pwg)}</td><td>${formatCount(row.produced_events)}</td><td>${parts.count(row.expected_events)}</td></tr>`,
    );
  const main = markup`<section class="dashboard">
<div class="dashboard-heading">
<h1>Production across all campaigns</h1>
${parts.windowSelector(answer.window.name, (window) => `${prefix}/dashboard${query(window)}`)}
</div>
<p class="page-links"><a href="${prefix}/campaigns?window=${answer.window.name}">every campaign</a> · JSON: <a href="${api}${here}">dashboard</a></p>
${parts.asOfLine(answer.as_of)}
<dl class="stat-grid">
<div><dt>Campaigns</dt><dd>${formatCount(summary.campaigns)}</dd></div>
<div><dt>Workflows</dt><dd>${formatCount(summary.workflows)}</dd></div>
<div><dt>Running</dt><dd>${formatCount(summary.running)}</dd></div>
<div><dt>Stuck ≥ ${stuckDays} days</dt><dd>${formatCount(summary.stuck)}</dd></div>
<div><dt>Produced, ${answer.window.label}</dt><dd>${formatCount(summary.window_events)}</dd></div>
<div><dt>Produced events</dt><dd>${formatCount(summary.produced_events)}</dd></div>
<div><dt>Completion</dt><dd>${parts.percent(summary.completion_percent)}</dd></div>
</dl>
<div class="charts">
<div class="chart-box"><h3>Events produced per ${per}, all campaigns</h3>${rate}</div>
<div class="chart-box"><h3>Produced events, cumulative, all campaigns</h3>${cumulative}</div>
</div>
<div class="table-tools"><span></span>${parts.downloads(`${api}/production.csv${here}`, `${api}${here}`)}</div>
${parts.productionTable(answer.production, per)}
<section class="panel">
<div class="panel-heading"><h2>Most active campaigns, ${answer.window.label}</h2>${parts.downloads(`${api}/campaigns.csv${here}`, `${api}${here}`)}</div>
${
  answer.most_active.length === 0
    ? markup`<p class="muted">No campaign produced events in this window.</p>`
    : markup`<div class="table-scroll"><table class="data-table compact">
<thead><tr><th scope="col">Campaign</th><th scope="col">Produced in the window</th><th scope="col">Produced</th><th scope="col">Expected</th><th scope="col">Completion</th><th scope="col">Last activity</th></tr></thead>
<tbody>
${answer.most_active.map(
  (row) =>
    markup`<tr><th scope="row"><a href="${prefix}/campaign/${encodeURIComponent(row.campaign)}?window=${answer.window.name}">${row.campaign}</a></th><td>${formatCount(row.window_events)}</td><td>${formatCount(row.produced_events)}</td><td>${formatCount(row.expected_events)}</td><td>${parts.percent(row.completion_percent)}</td><td>${row.last_activity ?? '–'}</td></tr>`,
)}
</tbody>
</table></div>`
}
</section>
<section class="panel">
<div class="panel-heading"><h2>Stuck: running, nothing produced for ${stuckDays} days or more</h2>${parts.downloads(`${api}/stuck.csv${here}`, `${api}${here}`)}</div>
<nav class="window-select" aria-label="Days without production"><span class="muted">Nothing produced for:</span> ${stuckChoices}</nav>
${
  answer.stuck.count === 0
    ? markup`<p class="muted">No running workflow has gone ${stuckDays} days without producing.</p>`
    : markup`<p class="muted">${formatCount(answer.stuck.count)} workflow${answer.stuck.count === 1 ? '' : 's'}${answer.stuck.count > STUCK_SHOWN ? `, the ${STUCK_SHOWN} quiet longest shown (the CSV has up to ${formatCount(answer.stuck.workflows.length)})` : ''}.</p>
<div class="table-scroll"><table class="data-table compact stuck">
<thead><tr><th scope="col">Workflow</th><th scope="col">Status</th><th scope="col">Days without production</th><th scope="col">Last growth</th><th scope="col">Campaigns</th><th scope="col">PWG</th><th scope="col">Produced</th><th scope="col">Expected</th></tr></thead>
<tbody>
${stuckRows}
</tbody>
</table></div>`
}
</section>
<section class="panel">
<div class="panel-heading"><h2>By PWG</h2>${parts.downloads(`${api}/pwg.csv${here}`, `${api}${here}`)}</div>
<div class="table-scroll"><table class="data-table compact">
<thead><tr><th scope="col">PWG</th><th scope="col">Workflows</th><th scope="col">Running</th><th scope="col">Stuck</th><th scope="col">Expected</th><th scope="col">Produced</th><th scope="col">Completion</th><th scope="col">Produced in the window</th></tr></thead>
<tbody>
${answer.pwgs.map(
  (row) =>
    markup`<tr><th scope="row">${parts.pwgLabel(row.pwg)}</th><td>${formatCount(row.workflows)}</td><td>${formatCount(row.running)}</td><td>${formatCount(row.stuck)}</td><td>${formatCount(row.expected_events)}</td><td>${formatCount(row.produced_events)}</td><td>${parts.percent(row.completion_percent)}</td><td>${formatCount(row.window_events)}</td></tr>`,
)}
</tbody>
</table></div>
</section>
${parts.definitionsNote()}
</section>`;
  return layout(context, 'Production dashboard', [main]);
}
