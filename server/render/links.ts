/**
 * Links to the other CMS services a production manager checks a workflow in. The PdmV
 * service a link points to is told by the PrepID's form (`prepidServiceOf`).
 */
import { prepidServiceOf } from '../../workflow/pdmv-service.js';
import type { Filter } from '../read-model/filters.js';

const CMSWEB = 'https://cmsweb.cern.ch';
const PDMV = 'https://cms-pdmv.cern.ch';
const UNIFIED = 'https://cms-unified.web.cern.ch/cms-unified';
const PRODUCTION_MONITOR = 'https://dmytro.web.cern.ch/dmytro/cmsprodmon';

export interface Link {
  label: string;
  href: string;
}

const e = encodeURIComponent;

/** A query-string value: percent-encoded, except `/`, which queries may hold as is (dataset names are full of them). */
export function queryValue(text: string): string {
  const encoded = encodeURIComponent(text);
  return encoded.includes('%2F') ? encoded.replaceAll('%2F', '/') : encoded;
}

/** The query string that selects `filter` (empty for all workflows). */
export function filterQuery(filter: Filter | undefined): string {
  return filter ? `?${filter.name}=${queryValue(filter.value)}` : '';
}

export function reqMgr2Link(name: string): Link {
  return { label: 'ReqMgr2', href: `${CMSWEB}/reqmgr2/fetch?rid=${e(name)}` };
}

export function dasDatasetHref(dataset: string): string {
  return `${CMSWEB}/das/request?instance=prod/global&input=${queryValue(`dataset=${dataset}`)}`;
}

/** DAS finds a request's datasets by its PrepID (through ReqMgr2). */
export function dasPrepidLink(prepid: string): Link {
  return {
    label: 'DAS',
    href: `${CMSWEB}/das/request?instance=prod/global&input=${queryValue(`dataset prepid=${prepid}`)}`,
  };
}

export function unifiedLink(name: string): Link {
  return { label: 'Unified', href: `${UNIFIED}/report/${e(name)}` };
}

export function computingStatusLink(prepid: string): Link {
  return {
    label: 'Computing status',
    href: `${PRODUCTION_MONITOR}/workflows.php?prep_id=${e(prepid)}`,
  };
}

/** The PdmV service page and the pMp history of one request (a Task/Step PrepID). */
export function requestLinks(prepid: string): Link[] {
  const service = prepidServiceOf(prepid);
  if (service === undefined) return [];
  const bare = prepid.replace(/^task_/, '');
  const links: Link[] = [];
  if (service === 'mcm')
    links.push({ label: 'McM', href: `${PDMV}/mcm/requests?prepid=${e(bare)}` });
  if (service === 'rereco')
    links.push({ label: 'ReReco', href: `${PDMV}/rereco/requests?prepid=${e(bare)}` });
  if (service === 'relval')
    links.push({ label: 'RelVal', href: `${PDMV}/relval/relvals?prepid=${e(bare)}` });
  links.push({ label: 'pMp', href: `${PDMV}/pmp/historical?r=${e(bare)}` });
  return links;
}

/** A campaign's page in the service that owns the workflow (told by the workflow's PrepID). */
export function campaignLinks(campaign: string, workflowPrepid: string | undefined): Link[] {
  const service = prepidServiceOf(workflowPrepid);
  const pmp: Link = { label: 'pMp', href: `${PDMV}/pmp/historical?r=${e(campaign)}` };
  if (service === 'mcm')
    return [{ label: 'McM', href: `${PDMV}/mcm/campaigns?prepid=${e(campaign)}` }, pmp];
  if (service === 'rereco') {
    return [
      { label: 'ReReco', href: `${PDMV}/rereco/subcampaigns?prepid=${e(`${campaign}-*`)}` },
      pmp,
    ];
  }
  if (service === 'relval') {
    // RelVal campaigns are `<release>__<batch name>[-<timestamp>]`.
    const parts = /^(CMSSW_\w+?)__(.+?)(?:-(\d+))?$/.exec(campaign);
    if (!parts) return [];
    const query = [`cmssw_release=${e(parts[1] as string)}`, `batch_name=${e(parts[2] as string)}`];
    if (parts[3]) query.push(`campaign_timestamp=${parts[3]}`);
    return [{ label: 'RelVal', href: `${PDMV}/relval/relvals?${query.join('&')}` }];
  }
  return [];
}

export function isRelVal(name: string, prepid: string | undefined): boolean {
  return name.includes('RVCMSSW') || prepidServiceOf(prepid) === 'relval';
}

/**
 * The DQM GUI page where a DQMIO dataset's harvested plots are: the RelVal GUI for
 * release validation, else the offline GUI at the workflow's first run.
 */
export function harvestingHref(
  dataset: string,
  relval: boolean,
  firstRun: number | undefined,
): string {
  if (relval) {
    return `${CMSWEB}/dqm/relval/start?runnr=${firstRun ?? 1};dataset=${queryValue(dataset)};sampletype=offline_relval;workspace=Everything;`;
  }
  return `${CMSWEB}/dqm/offline/start?runnr=${firstRun ?? 1};dataset=${queryValue(dataset)};sampletype=offline_data;workspace=Everything;`;
}
