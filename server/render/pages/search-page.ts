/** The answer to a search that no filter matches exactly: the workflows that contain it. */
import { formatCount } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import { queryValue } from '../links.js';
import type { WorkflowSearchHit } from '../../read-model/workflow-search.js';
import { CompiledHtml, type PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import { layout } from './layout.js';

export interface SearchPageResult {
  query: string;
  count: number;
  countIsLowerBound: boolean;
  hits: WorkflowSearchHit[];
}

/** The page around results (the header changes with the data, the results with the query). */
export function searchPage(context: PageContext, query: string, results: CompiledHtml): PagePart[] {
  return layout({ ...context, search: query }, `Search ${query}`, [results]);
}

/** The results, compiled once per query and version of the index. */
export function searchResults(prefix: string, result: SearchPageResult): CompiledHtml {
  const count = `${result.countIsLowerBound ? 'At least ' : ''}${formatCount(result.count)}`;
  const heading =
    result.count === 0
      ? markup`No workflow has a name, PrepID, request, dataset, campaign or processing string that contains <span class="filter-value">${result.query}</span>.`
      : markup`${count} workflow${result.count === 1 ? ' contains' : 's contain'} <span class="filter-value">${result.query}</span>`;
  const shown =
    result.hits.length < result.count
      ? markup`<p class="muted">The first ${formatCount(result.hits.length)}, those with a word that starts with it first; <a href="${prefix}/search?q=${queryValue(result.query)}&amp;limit=500">show up to 500</a>.</p>`
      : markup``;
  const items = result.hits.map(
    (hit) =>
      markup`<li><a href="${prefix}/workflow/${encodeURIComponent(hit.name)}">${hit.name}</a>${hit.match && matchLine(hit.match)}</li>
`,
  );
  return new CompiledHtml(markup`<div class="list-heading"><h1>${heading}</h1></div>
${shown}<ol class="search-results">
${items}</ol>
`);
}

function matchLine(match: NonNullable<WorkflowSearchHit['match']>): SafeHtml {
  const { text, at, length } = match;
  return markup`<br><span class="muted">${match.field}:</span> ${text.slice(0, at)}<mark>${text.slice(at, at + length)}</mark>${text.slice(at + length)}`;
}
