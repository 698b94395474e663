import { expect } from 'chai';
import {
  fixtureWorkflows,
  HISTORY_ONLY,
  HOSTILE,
  NO_PREPID,
  NOW,
  OLD_NULLS,
  RELVAL,
  RELVAL_CAMPAIGN,
  RELVAL_DATASETS,
  RELVAL_PREPID,
  RERECO,
  RERECO_DATASETS,
  RERECO_INPUT,
  RERECO_PREPID,
  TASKCHAIN,
  TASKCHAIN_DATASETS,
  TASKCHAIN_PREPID,
  TASKCHAIN_PROCESSING_STRING,
  WRONG_TYPES,
} from './fixtures.js';
import { blockOf, startTestWebsite, type TestWebsite } from './support.js';

const e = encodeURIComponent;
/** Query values keep their slashes. */
const q = (value: string) => e(value).replace(/%2F/g, '/');
/** How a URL appears inside an href attribute. */
const attr = (url: string) => url.replace(/&/g, '&amp;');
const das = (dataset: string) =>
  attr(`https://cmsweb.cern.ch/das/request?instance=prod/global&input=${q(`dataset=${dataset}`)}`);

// Fixture times are set when fixtureWorkflows() is called, just before the site starts;
// minute-level "ago" texts still accept a little drift (formatAgo's own tests are exact).
describe('website: every field and link of a workflow (docs/website.md#a-workflow-in-the-list)', function () {
  let site: TestWebsite;
  let list: string;

  before(async () => {
    site = await startTestWebsite('block', fixtureWorkflows(), {
      lastUpdateRun: NOW - (3600 + 6 * 60),
    });
    list = await (await site.get('/stats/')).text();
  });
  after(() => site.close());

  it('header: total workflows, time of the last update run, search box', () => {
    expect(list).to.include(`<dt>Workflows</dt><dd>${fixtureWorkflows().length}</dd>`);
    expect(list).to.match(
      /<dt>Last update run<\/dt><dd><time title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC">1h (6|7|8|9|10)min ago<\/time>/,
    );
    expect(list).to.include(
      '<form class="search" action="/stats/search" method="get" role="search">',
    );
    expect(list).to.include('<input type="search" name="q"');
  });

  it('a TaskChain: facts, status times, links, requests, campaigns, datasets', () => {
    const block = blockOf(list, TASKCHAIN);
    expect(block).to.include(`<a href="/stats/?workflow_name=${e(TASKCHAIN)}">${TASKCHAIN}</a>`);
    expect(block).to.include(
      `<dt>PrepID</dt><dd><a href="/stats/?prepid=${TASKCHAIN_PREPID}">${TASKCHAIN_PREPID}</a></dd>`,
    );
    expect(block).to.include(
      '<dt>Type</dt><dd><a href="/stats/?type=TaskChain">TaskChain</a></dd>',
    );
    expect(block).to.include('<dt>Total events</dt><dd>500,000</dd>');
    expect(block).to.include('<dt>Priority</dt><dd>85,000</dd>');
    expect(block).to.match(/<dt>Last update<\/dt><dd><time [^>]*>3d ago<\/time><\/dd>/);
    expect(block).to.match(/<dt>First status<\/dt><dd>new, <time [^>]*>10d ago<\/time><\/dd>/);
    expect(block).to.match(
      /<dt>Last status<\/dt><dd>running-open, <time [^>]*>5h ([7-9]|1[0-2])min ago<\/time><\/dd>/,
    );
    expect(block).to.include(
      `<dt>Processing string</dt><dd><a href="/stats/?processing_string=${TASKCHAIN_PROCESSING_STRING}">${TASKCHAIN_PROCESSING_STRING}</a></dd>`,
    );
    expect(block).not.to.include('<dt>Input dataset</dt>');

    expect(block).to.include(`href="https://cmsweb.cern.ch/reqmgr2/fetch?rid=${TASKCHAIN}"`);
    expect(block).to.include(
      `href="${attr(`https://cmsweb.cern.ch/das/request?instance=prod/global&input=${e(`dataset prepid=${TASKCHAIN_PREPID}`)}`)}"`,
    );
    expect(block).to.include(
      `href="https://cms-unified.web.cern.ch/cms-unified/report/${TASKCHAIN}"`,
    );
    expect(block).to.include(
      `href="https://dmytro.web.cern.ch/dmytro/cmsprodmon/workflows.php?prep_id=${TASKCHAIN_PREPID}"`,
    );
    expect(block).to.include(`<a href="/stats/get_json/${TASKCHAIN}">JSON</a>`);
    expect(block).to.include(`href="/stats/workflow/${TASKCHAIN}">History chart</a>`);

    // Requests: filter link, McM page and pMp, chosen by the McM PrepID form.
    expect(block).to.include(
      '<a href="/stats/?request=HIG-RunIISummer20UL18SIM-00456">HIG-RunIISummer20UL18SIM-00456</a>',
    );
    expect(block).to.include(
      'href="https://cms-pdmv.cern.ch/mcm/requests?prepid=HIG-RunIISummer20UL18SIM-00456"',
    );
    expect(block).to.include(
      'href="https://cms-pdmv.cern.ch/pmp/historical?r=HIG-RunIISummer20UL18SIM-00456"',
    );
    // Campaigns: deduplicated, McM campaign page and pMp.
    expect(block.split('<a href="/stats/?campaign=RunIISummer20UL18SIM">')).to.have.length(2);
    expect(block).to.include(
      'href="https://cms-pdmv.cern.ch/mcm/campaigns?prepid=RunIISummer20UL18wmLHEGEN"',
    );
    expect(block).to.include(
      'href="https://cms-pdmv.cern.ch/pmp/historical?r=RunIISummer20UL18wmLHEGEN"',
    );

    // Datasets: bar coloured by type, tier, completion of TotalEvents, events, size, type, DAS; harvesting for DQMIO.
    const [gen, genSim, dqmio] = datasetItems(block);
    expect(gen).to.include(
      '><progress class="type-valid" max="100" value="100"></progress> <b>100.00%</b></p>',
    );
    expect(gen).to.include(
      `<a class="dataset-name" href="/stats/?output_dataset=${q(TASKCHAIN_DATASETS[0] as string)}">${TASKCHAIN_DATASETS[0]}</a>`,
    );
    expect(gen).to.include('tier <b>GEN</b>');
    expect(gen).to.include('<b>500,000</b> events');
    expect(gen).to.include('12.35 GB');
    expect(gen).to.include('<span class="type-valid">VALID</span>');
    expect(gen).to.include(`href="${das(TASKCHAIN_DATASETS[0] as string)}"`);
    expect(gen).not.to.include('Harvesting');
    expect(genSim).to.include(
      '<progress class="type-production" max="100" value="50"></progress> <b>50.00%</b>',
    );
    expect(genSim).to.include('4.57 GB');
    expect(dqmio).to.include('<b>0.20%</b>');
    expect(dqmio).to.include('1.23 KB');
    expect(dqmio).to.include(
      `href="https://cmsweb.cern.ch/dqm/offline/start?runnr=1;dataset=${TASKCHAIN_DATASETS[2]};sampletype=offline_data;workspace=Everything;"`,
    );
    expect(block).not.to.include(' lumis');
  });

  it('a ReReco in lumis mode: total lumisections, completion of TotalInputLumis, input dataset, ReReco links', () => {
    const block = blockOf(list, RERECO);
    expect(block).to.include('<dt>Total lumisections</dt><dd>400</dd>');
    expect(block).not.to.include('<dt>Total events</dt>');
    expect(block).to.match(/<dt>Last update<\/dt><dd><time [^>]*>[1-5]min ago<\/time>/);
    expect(block).to.match(
      /<dt>Last status<\/dt><dd>running-closed, <time [^>]*>(4[5-9]|50)min ago<\/time>/,
    );
    expect(block).to.include(
      `<dt>Input dataset</dt><dd class="dataset-name"><a href="/stats/?input_dataset=${RERECO_INPUT}">${RERECO_INPUT}</a> <a href="${das(RERECO_INPUT)}">DAS</a></dd>`,
    );
    expect(block).to.include(
      `href="https://cms-pdmv.cern.ch/rereco/requests?prepid=${RERECO_PREPID}"`,
    );
    expect(block).to.include(`href="https://cms-pdmv.cern.ch/pmp/historical?r=${RERECO_PREPID}"`);
    expect(block).to.include(
      `href="https://cms-pdmv.cern.ch/rereco/subcampaigns?prepid=Run2024F-*"`,
    );
    const items = datasetItems(block);
    expect(items).to.have.length(3);
    for (const item of items) {
      expect(item).to.include('<b>75.00%</b>'); // 300 of 400 lumis, not 900k of 1.2M events
      expect(item).to.include('<b>300</b> lumis');
      expect(item).to.include('<b>900,000</b> events');
      expect(item).to.include('5.50 TB');
    }
    // The offline DQM GUI opens at the workflow's first run.
    expect(items[2]).to.include(
      `dqm/offline/start?runnr=382229;dataset=${RERECO_DATASETS[2]};sampletype=offline_data`,
    );
  });

  it('a RelVal: RelVal machine links for request and campaign, RelVal DQM GUI', () => {
    const block = blockOf(list, RELVAL);
    expect(block).to.include(
      `href="https://cms-pdmv.cern.ch/relval/relvals?prepid=${RELVAL_PREPID}"`,
    );
    expect(block).to.include(`href="https://cms-pdmv.cern.ch/pmp/historical?r=${RELVAL_PREPID}"`);
    expect(block).to.include(
      `<a href="/stats/?campaign=${RELVAL_CAMPAIGN}">${RELVAL_CAMPAIGN}</a>`,
    );
    expect(block).to.include(
      attr(
        'href="https://cms-pdmv.cern.ch/relval/relvals?cmssw_release=CMSSW_14_0_0&batch_name=STD_2024_PU&campaign_timestamp=1709300000"',
      ),
    );
    expect(block).to.match(
      /<dt>Last status<\/dt><dd>announced, <time [^>]*>(\d+s|[1-5]min) ago<\/time>/,
    );
    expect(block).to.match(/<dt>Last update<\/dt><dd><time [^>]*>([7-9]|1[0-2])min ago<\/time>/);
    const [reco, dqmio] = datasetItems(block);
    expect(reco).to.include('45.00 GB');
    expect(reco).to.include('<b>100.00%</b>');
    expect(dqmio).to.include(
      `https://cmsweb.cern.ch/dqm/relval/start?runnr=1;dataset=${RELVAL_DATASETS[1]};sampletype=offline_relval;workspace=Everything;`,
    );
  });

  it('old and odd documents render what there is', () => {
    const noPrepid = blockOf(list, NO_PREPID);
    expect(noPrepid).not.to.include('<dt>PrepID</dt>');
    expect(noPrepid).to.include('<dt>Total events</dt><dd><span class="muted">unknown</span></dd>');
    expect(noPrepid).not.to.include('Computing status');
    expect(noPrepid).to.include(
      '<progress class="type-none" max="100" value="0"></progress> <b>–</b>',
    );
    expect(noPrepid).to.include('<span class="type-none">NONE</span>');

    const old = blockOf(list, OLD_NULLS);
    expect(old).to.include('<dt>Type</dt><dd><a href="/stats/?type=ReReco">ReReco</a></dd>');
    expect(old).to.include('No output datasets.');
    expect(old).not.to.include('<dt>Last update</dt>');

    const broken = blockOf(list, WRONG_TYPES);
    expect(broken).to.include('<a href="/stats/?campaign=BrokenCampaign">');
    expect(broken).to.include('/a/b/AOD'); // from the history, as OutputDatasets is not a list
    expect(broken).to.include('an impossible date');

    const historyOnly = blockOf(list, HISTORY_ONLY);
    expect(historyOnly).to.include('<span class="type-deleted">DELETED</span>');
    expect(historyOnly).to.include('<b>25.00%</b>');
  });

  it('text from documents is escaped everywhere', () => {
    const block = blockOf(list, HOSTILE);
    for (const raw of [
      '<script>',
      '<img src',
      '<svg onload',
      '<iframe',
      '<b>Type',
      '<i>VALID',
      '</dd><script>',
      'x"y',
    ]) {
      expect(block, raw).not.to.include(raw);
    }
    expect(block).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(block).to.include('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(block).to.include(`href="/stats/?prepid=${e('"><img src=x onerror=alert(1)>')}"`);
  });

  it('the workflow page draws each output dataset’s history as SVG, lumis too in lumis mode', async () => {
    const response = await site.get(`/stats/workflow/${RERECO}`);
    expect(response.status).to.equal(200);
    const html = await response.text();
    for (const dataset of RERECO_DATASETS)
      expect(html).to.include(`<figcaption class="dataset-name">${dataset}</figcaption>`);
    expect(html.match(/<svg class="chart /g)).to.have.length(6);
    expect(html).to.include('aria-label="/JetMET0/Run2024F-ECALRatio-v1/AOD: events over time"');
    expect(html).to.include(
      'aria-label="/JetMET0/Run2024F-ECALRatio-v1/AOD: lumisections over time"',
    );
    expect(html).to.include('expected 1,200,000');
    expect(html).to.include('expected 400');
    expect(html).to.include('2 measurements');

    const relval = await (await site.get(`/stats/workflow/${RELVAL}`)).text();
    expect(relval.match(/<svg class="chart /g)).to.have.length(2);
    expect(relval).not.to.include('lumisections over time');

    for (const name of [OLD_NULLS, WRONG_TYPES, HOSTILE, NO_PREPID]) {
      const odd = await site.get(`/stats/workflow/${e(name)}`);
      expect(odd.status, name).to.equal(200);
      expect(await odd.text()).not.to.include('<script');
    }
    expect((await site.get('/stats/workflow/no_such_workflow')).status).to.equal(404);
    expect((await site.get('/stats/workflow/_design%2F_designDoc')).status).to.equal(404);
  });
});

function datasetItems(block: string): string[] {
  return block
    .split('<li><p class="completion"')
    .slice(1)
    .map((item) => item.slice(0, item.indexOf('</li>')));
}
