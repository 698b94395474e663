/**
 * One workflow as the list shows it (docs/website.md#a-workflow-in-the-list): its facts
 * and links, its requests and campaigns, and each output dataset's latest numbers with a
 * completion bar (docs/website.md#output-datasets-and-completion). The markup does not
 * depend on the clock (times are slots), so it can be rendered once and kept.
 */
import { formatCount, formatPercent, formatSize } from '../format.js';
import { markup, type SafeHtml } from '../html.js';
import {
  campaignLinks,
  computingStatusLink,
  dasDatasetHref,
  dasPrepidLink,
  harvestingHref,
  isRelVal,
  queryValue,
  reqMgr2Link,
  requestLinks,
  unifiedLink,
  type Link,
} from '../links.js';
import type { FilterName } from '../../read-model/filters.js';
import {
  datasetTier,
  type DatasetSummary,
  type WorkflowSummary,
} from '../../read-model/workflow-summary.js';
import { externalLinks, timeAgo } from './parts.js';

const KNOWN_TYPES = new Set(['valid', 'production', 'invalid', 'deleted', 'deprecated', 'none']);

export function workflowBlock(workflow: WorkflowSummary, prefix: string): SafeHtml {
  const filterLink = (name: FilterName, value: string) =>
    markup`<a href="${prefix}/?${name}=${queryValue(value)}">${value}</a>`;
  const name = encodeURIComponent(workflow.name);
  const input = workflow.inputDataset;
  const facts = [
    workflow.prepid !== undefined && fact('PrepID', filterLink('prepid', workflow.prepid)),
    workflow.type !== undefined && fact('Type', filterLink('type', workflow.type)),
    workflow.lumisMode
      ? fact('Total lumisections', expected(workflow.totalInputLumis))
      : fact('Total events', expected(workflow.totalEvents)),
    workflow.priority !== undefined && fact('Priority', formatCount(workflow.priority)),
    workflow.lastUpdate !== undefined && fact('Last update', timeAgo(workflow.lastUpdate)),
    status('First status', workflow.firstStatus, workflow.firstStatusTime),
    status('Last status', workflow.lastStatus, workflow.lastStatusTime),
    workflow.processingString !== undefined &&
      fact('Processing string', filterLink('processing_string', workflow.processingString)),
    input !== undefined &&
      markup`<dt>Input dataset</dt><dd class="dataset-name">${filterLink('input_dataset', input)} <a href="${dasDatasetHref(input)}">DAS</a></dd>`,
  ];
  const requests = workflow.requests.map(
    (request) =>
      markup`<li>${filterLink('request', request)}${externalLinks(requestLinks(request))}</li>`,
  );
  const campaigns = workflow.campaigns.map(
    (campaign) =>
      markup`<li>${filterLink('campaign', campaign)}${externalLinks(campaignLinks(campaign, workflow.prepid))}</li>`,
  );
  const relval = isRelVal(workflow.name, workflow.prepid);
  const datasets = workflow.datasets.map((dataset) =>
    datasetItem(workflow, dataset, relval, `${prefix}/?output_dataset=${queryValue(dataset.name)}`),
  );
  return markup`<article class="workflow">
<section class="wf-main">
<h2 class="wf-name">${filterLink('workflow_name', workflow.name)}</h2>
<dl class="facts">${facts}</dl>
<p class="wf-links">${externalLinks(workflowLinks(workflow))} <a href="${prefix}/get_json/${name}">JSON</a> <a class="chart-link" href="${prefix}/workflow/${name}">History chart</a></p>
</section>
<section class="wf-requests">${requests.length > 0 && markup`<h3>Requests</h3><ul>${requests}</ul>`}${
    campaigns.length > 0 && markup`<h3>Campaigns</h3><ul>${campaigns}</ul>`
  }</section>
<section class="wf-datasets">${
    datasets.length > 0
      ? markup`<ul>${datasets}</ul>`
      : markup`<p class="muted">No output datasets.</p>`
  }</section>
</article>
`;
}

function workflowLinks(workflow: WorkflowSummary): Link[] {
  const links = [reqMgr2Link(workflow.name)];
  if (workflow.prepid !== undefined) links.push(dasPrepidLink(workflow.prepid));
  links.push(unifiedLink(workflow.name));
  if (workflow.prepid !== undefined) links.push(computingStatusLink(workflow.prepid));
  return links;
}

function fact(label: string, value: SafeHtml | string): SafeHtml {
  return markup`<dt>${label}</dt><dd>${value}</dd>`;
}

function expected(total: number | undefined): SafeHtml | string {
  if (total === undefined || total < 0) return markup`<span class="muted">unknown</span>`;
  return formatCount(total);
}

function status(
  label: string,
  name: string | undefined,
  time: number | undefined,
): SafeHtml | false {
  if (name === undefined) return false;
  return fact(label, markup`${name}${time !== undefined && markup`, ${timeAgo(time)}`}`);
}

function datasetItem(
  workflow: WorkflowSummary,
  dataset: DatasetSummary,
  relval: boolean,
  filterHref: string,
): SafeHtml {
  const name = dataset.name;
  const done = workflow.lumisMode ? dataset.lumis : dataset.events;
  const total = workflow.lumisMode ? workflow.totalInputLumis : workflow.totalEvents;
  const percent =
    done !== undefined && total !== undefined && total > 0 ? (done / total) * 100 : undefined;
  const shownPercent = percent === undefined ? '–' : formatPercent(percent);
  const type = dataset.type ?? 'NONE';
  const tier = datasetTier(name);
  const tone = typeClass(type);
  // The bar is a <progress>: its length is an attribute, so the CSP needs no inline style.
  const value =
    percent === undefined ? 0 : Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
  const facts = [
    markup`tier <b>${tier}</b>`,
    dataset.events !== undefined && markup` · <b>${formatCount(dataset.events)}</b> events`,
    workflow.lumisMode &&
      dataset.lumis !== undefined &&
      markup` · <b>${formatCount(dataset.lumis)}</b> lumis`,
    dataset.size !== undefined && markup` · ${formatSize(dataset.size)}`,
    markup` · <span class="${tone}">${type}</span> <a href="${dasDatasetHref(name)}">DAS</a>`,
    tier === 'DQMIO' &&
      markup` <a href="${harvestingHref(name, relval, workflow.firstRun)}">Harvesting</a>`,
  ];
  return markup`<li><p class="completion"><progress class="${tone}" max="100" value="${value}"></progress> <b>${shownPercent}</b></p>
<a class="dataset-name" href="${filterHref}">${name}</a>
<p class="ds-facts">${facts}</p></li>`;
}

export function typeClass(type: string): string {
  const key = type.toLowerCase();
  return `type-${KNOWN_TYPES.has(key) ? key : 'other'}`;
}
