/** The list of workflows: what is shown, one block per workflow, previous/next page. */
import { pluralNoun } from '../../../lib/plural.js';
import { formatCount } from '../format.js';
import { FILTER_LABELS, type Filter } from '../../read-model/filters.js';
import { filterQuery } from '../links.js';
import { markup, type SafeHtml } from '../html.js';
import type { WorkflowPage } from '../../read-model/workflow-query.js';
import type { CompiledHtml, PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import { layout } from './layout.js';

export function listPage(
  context: PageContext,
  filter: Filter | undefined,
  result: WorkflowPage,
  pageSize: number,
  blocks: readonly CompiledHtml[],
): PagePart[] {
  const pages = Math.max(1, Math.ceil(result.total / pageSize));
  const title = filter ? `${FILTER_LABELS[filter.name]} ${filter.value}` : 'All workflows';
  const navigation = pager(context.prefix, filter, result, pages);
  const heading = markup`<div class="list-heading">
<h1>${headingText(filter, result.total, context.prefix)}</h1>
${navigation}
</div>
`;
  const body: PagePart[] = [heading];
  if (blocks.length > 0) {
    body.push(...blocks, markup`<div class="list-footer">${navigation}</div>`);
  } else {
    body.push(markup`<p class="empty">${emptyMessage(filter)}</p>`);
  }
  return layout(context, title, body);
}

function headingText(filter: Filter | undefined, total: number, prefix: string): SafeHtml {
  const count = `${formatCount(total)} ${pluralNoun(total, 'workflow')}`;
  if (!filter) return markup`${count}`;
  return markup`${count} with ${FILTER_LABELS[filter.name]} <span class="filter-value">${filter.value}</span> <a class="clear" href="${prefix}/">show all</a>`;
}

/** The first page of an empty list (a page past the end is a 404, answered by the route). */
function emptyMessage(filter: Filter | undefined): string {
  if (!filter) return 'There are no workflows yet.';
  if (filter.name === 'workflow_name') return 'No workflow has this name.';
  return `No workflow has this ${FILTER_LABELS[filter.name]}.`;
}

function pager(
  prefix: string,
  filter: Filter | undefined,
  result: WorkflowPage,
  pages: number,
): SafeHtml {
  const query = filterQuery(filter);
  const previous = result.page > 0 ? Math.min(result.page - 1, pages - 1) : undefined;
  const back =
    previous === undefined
      ? markup`<span class="disabled">← Previous</span>`
      : markup`<a rel="prev" href="${prefix}/${previous}${query}">← Previous</a>`;
  const forward = result.hasNext
    ? markup`<a rel="next" href="${prefix}/${result.page + 1}${query}">Next →</a>`
    : markup`<span class="disabled">Next →</span>`;
  const position = `Page ${formatCount(result.page + 1)} of ${formatCount(pages)}`;
  return markup`<nav class="pager" aria-label="Pages">${back} <span class="page-number">${position}</span> ${forward}</nav>`;
}
