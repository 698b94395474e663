/** `/campaigns`: every campaign in one sortable, filterable table. */
import type {
  CampaignRow,
  CampaignsAnswer,
  CampaignSort,
  GroupField,
} from '../../read-model/dashboard-answers.js';
import type { WindowName } from '../../read-model/dashboard-window.js';
import { formatCount } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import { filterQuery, queryValue } from '../links.js';
import type { PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import {
  asOfLine,
  count,
  definitionsNote,
  downloads,
  percent,
  windowSelector,
} from './dashboard-parts.js';
import { layout } from './layout.js';

export function campaignsPage(context: PageContext, answer: CampaignsAnswer): PagePart[] {
  const { prefix } = context;
  const query = (
    changes: Partial<{ window: WindowName; sort: CampaignSort; order: string; q: string }>,
  ) => {
    const merged = {
      window: answer.window.name,
      sort: answer.sort,
      order: answer.order,
      q: answer.q,
      ...changes,
    };
    const parts = [`window=${merged.window}`, `sort=${merged.sort}`, `order=${merged.order}`];
    if (merged.q !== '') parts.push(`q=${queryValue(merged.q)}`);
    return `?${parts.join('&')}`;
  };
  const header = (label: string, sort: CampaignSort, title?: string) => {
    const active = answer.sort === sort;
    const next = active
      ? answer.order === 'asc'
        ? 'desc'
        : 'asc'
      : sort === 'campaign'
        ? 'asc'
        : 'desc';
    const arrow = active ? (answer.order === 'asc' ? ' ▲' : ' ▼') : '';
    const sortState = active ? (answer.order === 'asc' ? 'ascending' : 'descending') : undefined;
    return markup`<th scope="col"${sortState ? markup` aria-sort="${sortState}"` : ''}${title ? markup` title="${title}"` : ''}><a href="${prefix}/campaigns${query({ sort, order: next })}">${label}${arrow}</a></th>`;
  };
  const groups = answer.status_groups.map(
    ({ field, label, statuses }) =>
      markup`<th scope="col" class="group-col" title="${label}: ${statuses.length ? statuses.join(', ') : 'any other status, or none'}">${field.replace('_', '-')}</th>`,
  );
  const rows = answer.campaigns.map((row) => campaignRow(prefix, row, answer));
  const csv = `${prefix}/api/campaigns.csv${query({})}`;
  const json = `${prefix}/api/campaigns${query({})}`;
  const shown = answer.campaigns.length;
  const main = markup`<section class="dashboard">
<div class="dashboard-heading">
<h1>Campaigns <span class="muted">${formatCount(shown)} ${answer.q ? markup`matching <span class="filter-value">${answer.q}</span>` : ''}</span></h1>
${windowSelector(answer.window.name, (window) => `${prefix}/campaigns${query({ window })}`)}
</div>
<div class="table-tools">
<form class="table-filter" action="${prefix}/campaigns" method="get" role="search">
<input type="hidden" name="window" value="${answer.window.name}">
<input type="hidden" name="sort" value="${answer.sort}">
<input type="hidden" name="order" value="${answer.order}">
<label>Campaign contains <input type="search" name="q" value="${answer.q}" maxlength="500"></label>
<button type="submit">Filter</button>
${answer.q ? markup`<a href="${prefix}/campaigns${query({ q: '' })}">clear</a>` : ''}
</form>
${downloads(csv, json)}
</div>
${asOfLine(answer.as_of)}
${
  shown === 0
    ? markup`<p class="empty">${answer.q ? 'No campaign name contains this text.' : 'There are no campaigns yet.'}</p>`
    : markup`<div class="table-scroll">
<table class="data-table campaigns">
<thead>
<tr>${header('Campaign', 'campaign')}${header('Workflows', 'workflows')}${groups.slice(0, 2)}${header('running', 'running', `running: ${answer.status_groups[2]?.statuses.join(', ')}`)}${groups.slice(3)}${header('Expected', 'expected_events', 'expected events: the sum of the known TotalEvents')}<th scope="col" title="workflows whose TotalEvents is unknown (−1)">Unknown</th>${header('Produced', 'produced_events', 'events of the final outputs')}${header('Completion', 'completion_percent')}${header('In window', 'window_events', `events produced in the ${answer.window.label}`)}${header('Last activity', 'last_activity')}</tr>
</thead>
<tbody>
${rows}
</tbody>
</table>
</div>`
}
${definitionsNote()}
</section>`;
  return layout(context, 'Campaigns', [main]);
}

const GROUP_FIELDS: GroupField[] = [
  'new',
  'assigned',
  'running',
  'completed',
  'closed_out',
  'announced',
  'aborted',
  'other',
];

function campaignRow(prefix: string, row: CampaignRow, answer: CampaignsAnswer): SafeHtml {
  const page = `${prefix}/campaign/${encodeURIComponent(row.campaign)}?window=${answer.window.name}`;
  const list = `${prefix}/${filterQuery({ name: 'campaign', value: row.campaign })}`;
  const groups = GROUP_FIELDS.map(
    (field) =>
      markup`<td class="group-col">${row[field] === 0 ? '' : formatCount(row[field])}</td>`,
  );
  return markup`<tr><th scope="row"><a href="${page}">${row.campaign}</a></th><td><a href="${list}" title="the workflows of ${row.campaign}">${formatCount(row.workflows)}</a></td>${groups}<td>${formatCount(row.expected_events)}</td><td>${row.unknown_expected === 0 ? '' : formatCount(row.unknown_expected)}</td><td>${formatCount(row.produced_events)}</td><td>${percent(row.completion_percent)}</td><td>${count(row.window_events)}</td><td>${row.last_activity ?? '–'}</td></tr>`;
}
