/** The frame of every page: header with totals, last update run and search box. */
import { formatCount, formatDateTime, formatElapsed } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import type { LastRun } from '../../read-model/last-update.js';
import { agoSlot, type PagePart } from './compiled-html.js';
import type { PageContext } from './context.js';
import { timeAgo } from './parts.js';

export function layout(context: PageContext, title: string, main: readonly PagePart[]): PagePart[] {
  const { prefix } = context;
  const lastUpdateRun =
    context.lastUpdateRun !== undefined
      ? timeAgo(context.lastUpdateRun)
      : context.runsKnown
        ? 'never'
        : 'unknown';
  const start = markup`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Stats2</title>
<link rel="stylesheet" href="${prefix}/static/style.css">
<link rel="icon" href="${prefix}/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="site-header">
<a class="brand" href="${prefix}/">Stats<sup>2</sup></a>
<nav class="site-nav"><a href="${prefix}/campaigns">Campaigns</a><a href="${prefix}/dashboard">Dashboard</a></nav>
<dl class="totals">
<div><dt>Workflows</dt><dd>${formatCount(context.totalWorkflows)}</dd></div>
<div><dt>Last update run</dt><dd>${lastUpdateRun}</dd></div>
${context.lastRun && lastRunTotal(context.lastRun)}</dl>
<form class="search" action="${prefix}/search" method="get" role="search">
<input type="search" name="q" value="${context.search ?? ''}" placeholder="PrepID, dataset, campaign, type, processing string, request or workflow" aria-label="Search" maxlength="500">
<button type="submit">Search</button>
</form>
</header>
${context.stale && staleBanner(context.stale.since)}<main>
`;
  const end = markup`</main>
<footer class="site-footer">
<a href="${prefix}/api/openapi.json">JSON API (OpenAPI)</a>
</footer>
</body>
</html>
`;
  return [start, ...main, end];
}

/** "2,000 changed, 3 failed, 41s" (", incomplete" when a run-level step failed). */
function lastRunTotal(run: LastRun): SafeHtml {
  const outcome = [
    `${formatCount(run.changed)} changed`,
    `${formatCount(run.failed)} failed`,
    formatElapsed(run.durationSeconds),
    ...(run.complete ? [] : ['incomplete']),
  ].join(', ');
  return markup`<div><dt>Last run</dt><dd title="finished ${formatDateTime(run.finishedAt)}">${outcome}</dd></div>
`;
}

/** Said on every page while the database does not answer: the pages show what was read before. */
function staleBanner(since: number | undefined): SafeHtml {
  const when =
    since === undefined
      ? 'since this website started'
      : markup`since ${formatDateTime(since)} (${agoSlot(since)})`;
  return markup`<p class="stale-data" role="alert">Data may be stale: the database has not answered ${when}. The pages show what was read before.</p>
`;
}
