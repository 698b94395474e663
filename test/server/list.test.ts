import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { request } from 'undici';
import {
  CASCADE,
  fillerWorkflows,
  fixtureWorkflows,
  HISTORY_ONLY,
  NO_PREPID,
  RELVAL,
  RERECO,
  RERECO_DATASETS,
  RERECO_INPUT,
  RERECO_PREPID,
  RESUBMISSION,
  STEPCHAIN,
  TASKCHAIN,
  TASKCHAIN_DATASETS,
  TASKCHAIN_PROCESSING_STRING,
} from './fixtures.js';
import { namesOn, startTestWebsite, type TestWebsite } from './support.js';

const FILLERS = 230;

describe('website: the list, its filters, paging and order', function () {
  let site: TestWebsite;
  const all = [...fixtureWorkflows(), ...fillerWorkflows(FILLERS)];
  const allNames = all.map((doc) => doc._id).sort();

  before(async () => {
    site = await startTestWebsite('list', all);
  });
  after(() => site.close());

  const page = async (path: string) => {
    const response = await site.get(path);
    expect(response.status, path).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    return response.text();
  };

  it('shows 100 workflows a page in RequestName order, with the total in the header', async () => {
    const first = await page('/stats/');
    expect(namesOn(first)).to.deep.equal(allNames.slice(0, 100));
    expect(first).to.include(`<dd>${all.length}</dd>`);
    expect(namesOn(await page('/stats/1'))).to.deep.equal(allNames.slice(100, 200));
    expect(namesOn(await page('/stats'))).to.deep.equal(allNames.slice(0, 100));
    expect(namesOn(await page('/stats/0'))).to.deep.equal(allNames.slice(0, 100));
  });

  it('pages: previous/next links, the last page, past the end, and bad page numbers', async () => {
    const last = Math.floor((all.length - 1) / 100);
    const first = await page('/stats/0');
    expect(first).to.include('<span class="disabled">← Previous</span>');
    expect(first).to.include(`<a rel="next" href="/stats/1">Next →</a>`);

    const lastPage = await page(`/stats/${last}`);
    expect(namesOn(lastPage)).to.deep.equal(allNames.slice(last * 100));
    expect(lastPage).to.include(`<a rel="prev" href="/stats/${last - 1}">← Previous</a>`);
    expect(lastPage).to.include('<span class="disabled">Next →</span>');

    // Past the end: a 404 that says how many pages there are, never "Page 1,000 of 21".
    const pages = last + 1;
    for (const beyond of [`/stats/${last + 1}`, `/stats/${last + 5}`, '/stats/1000']) {
      const answer = await site.get(beyond);
      expect(answer.status, beyond).to.equal(404);
      const text = await answer.text();
      expect(text).to.include(`there are ${pages} pages (numbered from 0)`);
      expect(text).not.to.match(/Page [\d,]+ of/);
    }
    const filtered = await site.get(`/stats/1?prepid=NOPE-00000`);
    expect(filtered.status).to.equal(404);
    expect(await filtered.text()).to.include('there is 1 page (numbered from 0)');

    expect((await site.get('/stats/-1')).status).to.equal(400);
    expect((await site.get('/stats/99999999999')).status).to.equal(400);
    expect((await site.get('/stats/1.5')).status).to.equal(404);
    expect((await site.get('/stats/abc')).status).to.equal(404);
    expect((await site.get('/stats/0x10')).status).to.equal(404);
  });

  it('a deep page is as cheap as the first: no CouchDB document reads per page', async () => {
    const timed = async (path: string) => {
      const started = performance.now();
      for (let i = 0; i < 20; i++) await page(path);
      return (performance.now() - started) / 20;
    };
    const firstMs = await timed('/stats/0');
    const deepMs = await timed('/stats/2');
    expect(deepMs).to.be.below(firstMs * 3 + 5);
  });

  it('compresses pages for clients that accept gzip, and only for them', async () => {
    const raw = async (path: string, acceptEncoding?: string) => {
      const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
      const answer = await request(`${site.origin}${path}`, { headers });
      const body = Buffer.from(await answer.body.arrayBuffer());
      expect(answer.statusCode, path).to.equal(200);
      expect(answer.headers.vary).to.equal('Accept-Encoding');
      expect(Number(answer.headers['content-length'])).to.equal(body.length);
      return { encoding: answer.headers['content-encoding'], body };
    };
    for (const path of ['/stats/', '/stats/0?type=TaskChain', `/stats/workflow/${TASKCHAIN}`]) {
      const plain = await raw(path);
      expect(plain.encoding, path).to.equal(undefined);
      expect((await raw(path, 'identity')).encoding).to.equal(undefined);
      const compressed = await raw(path, 'gzip, deflate, br');
      expect(compressed.encoding, path).to.equal('gzip');
      const unpacked = gunzipSync(compressed.body).toString('utf8');
      expect(namesOn(unpacked)).to.deep.equal(namesOn(plain.body.toString('utf8')));
      expect(unpacked).to.include('</html>');
      if (path === '/stats/') expect(compressed.body.length).to.be.below(plain.body.length / 5);
    }
    const missing = await request(`${site.origin}/stats/no/such/page`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(missing.statusCode).to.equal(404);
    expect(gunzipSync(Buffer.from(await missing.body.arrayBuffer())).toString()).to.include(
      'Not found',
    );
  });

  it('filters by each of the eight parameters through its view', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['workflow_name', TASKCHAIN, [TASKCHAIN]],
      ['prepid', RERECO_PREPID, [RERECO, RESUBMISSION]],
      ['output_dataset', TASKCHAIN_DATASETS[1] as string, [TASKCHAIN]],
      ['input_dataset', RERECO_INPUT, [RERECO, RESUBMISSION]],
      ['campaign', 'RunIISummer20UL18SIM', [TASKCHAIN]],
      ['type', 'TaskChain', [RELVAL, TASKCHAIN]],
      ['processing_string', TASKCHAIN_PROCESSING_STRING, [TASKCHAIN]],
      ['request', 'HIG-RunIISummer20UL18SIM-00456', [TASKCHAIN]],
    ];
    for (const [parameter, value, expected] of cases) {
      const html = await page(`/stats/?${parameter}=${encodeURIComponent(value)}`);
      expect(namesOn(html), parameter).to.deep.equal(expected);
      expect(html, parameter).to.include(
        `${expected.length} workflow${expected.length === 1 ? '' : 's'} with`,
      );
    }
    expect(
      namesOn(
        await page(`/stats/?output_dataset=${encodeURIComponent(RERECO_DATASETS[0] as string)}`),
      ),
    ).to.deep.equal([RERECO, RESUBMISSION]);
    expect(namesOn(await page('/stats/?campaign=Run3Summer22EEGS'))).to.deep.equal([STEPCHAIN]);
  });

  it('an unknown value gives an empty list, not an error; an empty value means no filter', async () => {
    const none = await page('/stats/?prepid=NOPE-00000');
    expect(namesOn(none)).to.deep.equal([]);
    expect(none).to.include('No workflow has this PrepID.');
    const unnamed = await page('/stats/?workflow_name=does_not_exist');
    expect(namesOn(unnamed)).to.deep.equal([]);
    expect(unnamed).to.include('No workflow has this name.');
    expect(namesOn(await page('/stats/?prepid='))).to.deep.equal(allNames.slice(0, 100));
  });

  it('the first filter given wins, in the order workflow_name, prepid, output_dataset, …', async () => {
    expect(namesOn(await page(`/stats/?type=TaskChain&prepid=${RERECO_PREPID}`))).to.deep.equal([
      RERECO,
      RESUBMISSION,
    ]);
    expect(namesOn(await page(`/stats/?request=x&workflow_name=${STEPCHAIN}`))).to.deep.equal([
      STEPCHAIN,
    ]);
  });

  it('sorts prepid, dataset and request results by the date-time in RequestName, others by name', async () => {
    // By name the Resubmission (pdmvserv_ACDC0…) comes first; by date (240902 < 240910) the ReReco does.
    expect(RESUBMISSION < RERECO).to.equal(true);
    expect(namesOn(await page(`/stats/?prepid=${RERECO_PREPID}`))).to.deep.equal([
      RERECO,
      RESUBMISSION,
    ]);
    expect(
      namesOn(await page(`/stats/?input_dataset=${encodeURIComponent(RERECO_INPUT)}`)),
    ).to.deep.equal([RERECO, RESUBMISSION]);
    expect(namesOn(await page('/stats/?campaign=Run2024F'))).to.deep.equal([RESUBMISSION, RERECO]);

    // 230 fillers share one campaign: name order, paged.
    const byCampaign = all
      .filter((d) => d.Campaigns?.includes('Summer24GS'))
      .map((d) => d._id)
      .sort();
    expect(namesOn(await page('/stats/1?campaign=Summer24GS'))).to.deep.equal(
      byCampaign.slice(100, 200),
    );
  });

  it('paging links keep the filter', async () => {
    const html = await page('/stats/1?campaign=Summer24GS');
    expect(html).to.include('<a rel="prev" href="/stats/0?campaign=Summer24GS">');
    expect(html).to.include('<a rel="next" href="/stats/2?campaign=Summer24GS">');
  });

  it('repeated or array parameters are refused with 400', async () => {
    for (const query of [
      'prepid=a&prepid=b',
      'prepid[]=a&prepid[]=b',
      'campaign[x]=1',
      'type=a&type=',
    ]) {
      const response = await site.get(`/stats/?${query}`);
      expect(response.status, query).to.equal(400);
      expect(await response.text()).to.include('This request cannot be answered');
    }
  });

  it('shows workflows of every shape (nulls, wrong types, hostile text) without failing', async () => {
    const shown: string[] = [];
    for (let n = 0; n * 100 < all.length; n++) shown.push(...namesOn(await page(`/stats/${n}`)));
    expect(shown).to.deep.equal(allNames);
    expect(namesOn(await page(`/stats/?workflow_name=${NO_PREPID}`))).to.deep.equal([NO_PREPID]);
    expect(shown).to.include.members([CASCADE, HISTORY_ONLY]);
  });
});
