import { expect } from 'chai';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { summarizeWorkflow } from '../../server/read-model/workflow-summary.js';
import {
  CASCADE,
  fillerWorkflows,
  fixtureWorkflows,
  RERECO,
  RERECO_DATASETS,
  RERECO_INPUT,
  RERECO_PREPID,
  RESUBMISSION,
  STEPCHAIN,
  TASKCHAIN,
  TASKCHAIN_DATASETS,
  TASKCHAIN_PREPID,
  TASKCHAIN_PROCESSING_STRING,
} from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

const e = encodeURIComponent;

/** The texts search looks in, read straight from a document as the summary sanitizes it. */
function searchedTexts(doc: StoredWorkflow): string[] {
  const s = summarizeWorkflow(doc);
  if (!s) return [];
  return [
    s.name,
    s.prepid,
    ...s.requests,
    ...s.datasets.map((d) => d.name),
    s.inputDataset,
    ...s.campaigns,
    s.processingString,
  ].filter((text): text is string => text !== undefined);
}

/** Names of the workflows that contain a one-term query with a letter, by reading each. */
function bruteForceSearch(docs: StoredWorkflow[], term: string): string[] {
  const lower = term.toLowerCase();
  return docs
    .filter((doc) => searchedTexts(doc).some((text) => text.toLowerCase().includes(lower)))
    .map((doc) => doc._id)
    .sort();
}
/** Query values keep their slashes. */
const q = (value: string) => e(value).replace(/%2F/g, '/');

describe('website: search, get_json, api/fetch, md, OpenAPI', function () {
  let site: TestWebsite;
  const fillers = fillerWorkflows(620);
  const all = [...fixtureWorkflows(), ...fillers];

  before(async () => {
    site = await startTestWebsite('endpoints', all);
  });
  after(() => site.close());

  describe('search', () => {
    const redirect = async (q: string) => {
      const response = await site.get(`/stats/search?q=${e(q)}`);
      expect(response.status, q).to.equal(302);
      return response.headers.get('location');
    };

    it('redirects to the first filter that matches, in the order of docs/website.md#search', async () => {
      expect(await redirect(TASKCHAIN_PREPID)).to.equal(`/stats/?prepid=${e(TASKCHAIN_PREPID)}`);
      expect(await redirect(TASKCHAIN_DATASETS[0] as string)).to.equal(
        `/stats/?output_dataset=${q(TASKCHAIN_DATASETS[0] as string)}`,
      );
      expect(await redirect(RERECO_INPUT)).to.equal(`/stats/?input_dataset=${RERECO_INPUT}`);
      expect(await redirect('RunIISummer20UL18SIM')).to.equal(
        '/stats/?campaign=RunIISummer20UL18SIM',
      );
      expect(await redirect('StepChain')).to.equal('/stats/?type=StepChain');
      expect(await redirect(TASKCHAIN_PROCESSING_STRING)).to.equal(
        `/stats/?processing_string=${TASKCHAIN_PROCESSING_STRING}`,
      );
      expect(await redirect('ONLY-AS-REQUEST-00001')).to.equal(
        '/stats/?request=ONLY-AS-REQUEST-00001',
      );
      expect(await redirect(STEPCHAIN)).to.equal(`/stats/?workflow_name=${STEPCHAIN}`);
    });

    interface SearchAnswer {
      query: string;
      exact: { name: string; value: string } | null;
      count: number;
      countIsLowerBound: boolean;
      workflows: string[];
    }
    const searchApi = async (query: string) => {
      const response = await site.get(`/stats/api/search?${query}`);
      expect(response.status, query).to.equal(200);
      return (await response.json()) as SearchAnswer;
    };

    it('without an exact match, lists the workflows that contain the words (any case, part of a word)', async () => {
      const page = await site.get('/stats/search?q=GluGlu');
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include('1 workflow contains <span class="filter-value">GluGlu</span>');
      expect(html).to.include(`<a href="/stats/workflow/${TASKCHAIN}">${TASKCHAIN}</a>`);
      expect(html).to.include('output dataset:</span> /<mark>GluGlu</mark>HToZZTo4L');

      expect(await searchApi('q=jetmet')).to.deep.equal({
        query: 'jetmet',
        exact: null,
        count: 2,
        countIsLowerBound: false,
        workflows: [RESUBMISSION, RERECO],
      });
      // Inside a word, not only at its start; words that start with it come first.
      const hzz = await searchApi('q=HToZZ');
      expect(hzz.workflows).to.deep.equal([TASKCHAIN]);
      const summer = await searchApi('q=ummer2');
      expect(summer.workflows).to.include(STEPCHAIN);
      expect(summer.count).to.equal(bruteForceSearch(all, 'ummer2').length);
    });

    it('finds what reading every workflow finds, for any fragment of their words', async () => {
      const words = new Set<string>();
      for (const doc of all.slice(0, 40))
        for (const text of searchedTexts(doc))
          for (const w of text.split(/[^\p{L}\p{N}]+/u)) words.add(w);
      const fragments = [...words]
        .filter((w) => w.length >= 3)
        .flatMap((w) => [w, w.slice(1, 4), w.slice(-3), w.slice(0, 2)])
        .filter((f, i, list) => f.length >= 2 && /\p{L}/u.test(f) && list.indexOf(f) === i)
        .slice(0, 120);
      expect(fragments.length).to.be.above(50);
      for (const fragment of fragments) {
        const expected = bruteForceSearch(all, fragment);
        const answer = await searchApi(`q=${e(fragment)}&limit=500`);
        if (answer.exact) continue;
        expect(answer.count, fragment).to.equal(expected.length);
        if (expected.length <= 500)
          expect([...answer.workflows].sort(), fragment).to.deep.equal(expected);
      }
    });

    it('digits alone are looked for in names; punctuation and several terms are matched as written', async () => {
      expect((await searchApi('q=00123')).workflows).to.deep.equal([
        'filler_0123_Summer24_240112_100123_0123',
        TASKCHAIN,
      ]);
      expect((await searchApi('q=Run2024F-ECALRatio-v1%2FAOD')).workflows).to.deep.equal([
        RESUBMISSION,
        RERECO,
      ]);
      expect((await searchApi('q=Run2024F-ECALRatio-v1%2FMINIAOD')).workflows).to.deep.equal([
        RERECO,
      ]);
      expect((await searchApi('q=jetmet%20miniaod')).workflows).to.deep.equal([RERECO]);
      expect((await searchApi('q=jetmet%20nosuchword')).count).to.equal(0);
    });

    it('counts every match and lists up to `limit` (default 100, at most 500)', async () => {
      const broad = await searchApi('q=filler');
      expect(broad.count).to.equal(fillers.length);
      expect(broad.workflows).to.have.length(100);
      expect(broad.workflows).to.deep.equal(
        fillers
          .map((w) => w._id)
          .sort()
          .slice(0, 100),
      );
      expect((await searchApi('q=filler&limit=7')).workflows).to.have.length(7);
      for (const limit of ['0', '501', 'x', '-1']) {
        const response = await site.get(`/stats/search?q=filler&limit=${limit}`);
        expect(response.status, limit).to.equal(400);
      }
      const page = await (await site.get('/stats/search?q=filler')).text();
      expect(page).to.include(`${fillers.length} workflows contain`);
      expect(page.match(/<li><a href="\/stats\/workflow\//g)).to.have.length(100);
      expect(page).to.include('limit=500');
    });

    it('says plainly when nothing contains the query', async () => {
      const page = await site.get('/stats/search?q=nothing%20matches%20this');
      expect(page.status).to.equal(200);
      const html = await page.text();
      expect(html).to.include(
        'No workflow has a name, PrepID, request, dataset, campaign or processing string that contains',
      );
      expect(html).not.to.include('No workflow has this workflow');
      expect((await searchApi('q=zzzqqq')).count).to.equal(0);
      expect((await site.get('/stats/api/search')).status).to.equal(400);
    });

    it('prefers the earlier filter when a value matches several', async () => {
      // CASCADE has ProcessingString "TaskChain" (also a type) and request "Run3Summer22EEGS" (also a campaign).
      expect(CASCADE).to.be.a('string');
      expect(await redirect('TaskChain')).to.equal('/stats/?type=TaskChain');
      expect(await redirect('Run3Summer22EEGS')).to.equal('/stats/?campaign=Run3Summer22EEGS');
      // RERECO_PREPID is both a PrepID and a request.
      expect(await redirect(RERECO_PREPID)).to.equal(`/stats/?prepid=${e(RERECO_PREPID)}`);
    });

    it('trims the query; an empty one goes to the list', async () => {
      expect(await redirect(`  ${TASKCHAIN_PREPID} `)).to.equal(
        `/stats/?prepid=${e(TASKCHAIN_PREPID)}`,
      );
      expect(await redirect('')).to.equal('/stats/');
      expect((await site.get('/stats/search')).headers.get('location')).to.equal('/stats/');
      expect((await site.get('/stats/search?q=a&q=b')).status).to.equal(400);
    });
  });

  describe('get_json', () => {
    it('answers the stored document, keys sorted and indented, on both paths', async () => {
      for (const path of [`/stats/get_json/${RERECO}`, `/stats/api/get_json/${RERECO}`]) {
        const response = await site.get(path);
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.match(/^application\/json/);
        const text = await response.text();
        const doc = JSON.parse(text) as Record<string, unknown>;
        expect(doc._id).to.equal(RERECO);
        expect(doc.LumiList).to.deep.equal({
          '382229': [
            [1, 180],
            [190, 412],
          ],
          '382250': [[5, 97]],
        });
        expect(Object.keys(doc)).to.deep.equal(Object.keys(doc).sort());
        expect(text).to.match(/^\{\n {4}"CMSSWVersion"|^\{\n {4}"Campaigns"/);
        expect(text.indexOf('"382229"')).to.be.below(text.indexOf('"382250"'));
      }
    });

    it('tags the answer with the revision and answers 304 to a client that has it', async () => {
      const first = await site.get(`/stats/get_json/${RERECO}`);
      const tag = first.headers.get('etag');
      const doc = (await first.json()) as { _rev: string };
      expect(tag).to.equal(`"${doc._rev}"`);
      const again = await site.get(`/stats/get_json/${RERECO}`, {
        headers: { 'if-none-match': tag as string },
      });
      expect(again.status).to.equal(304);
      expect(await again.text()).to.equal('');
      const other = await site.get(`/stats/api/get_json/${RERECO}`, {
        headers: { 'if-none-match': '"1-00000000000000000000000000000000", W/"x"' },
      });
      expect(other.status).to.equal(200);
    });

    it('answers {} with 404 for a missing workflow, a design document or an impossible name', async () => {
      for (const name of [
        'no_such_workflow',
        '_design%2F_designDoc',
        '_all_docs',
        'x'.repeat(600),
        '..%2F..%2F_config',
        'a%00b',
      ]) {
        for (const prefix of ['/stats/get_json/', '/stats/api/get_json/']) {
          const response = await site.get(prefix + name);
          expect(response.status, name).to.equal(404);
          expect(await response.text()).to.equal('{}');
        }
      }
    });
  });

  describe('api/fetch', () => {
    it('streams every matching document, beyond any page limit, in display order', async () => {
      const response = await site.get('/stats/api/fetch?campaign=Summer24GS');
      expect(response.status).to.equal(200);
      const docs = (await response.json()) as Array<{ _id: string; EventNumberHistory: unknown }>;
      expect(docs.map((d) => d._id)).to.deep.equal(fillers.map((d) => d._id).sort());
      expect(docs[0]?.EventNumberHistory).to.be.an('array');

      const byPrepid = (await (
        await site.get(`/stats/api/fetch?prepid=${RERECO_PREPID}`)
      ).json()) as Array<{ _id: string }>;
      expect(byPrepid.map((d) => d._id)).to.deep.equal([RERECO, RESUBMISSION]);
    });

    it('refuses a request without a filter or with unknown parameters (it would send everything)', async () => {
      for (const query of ['', '?page=1', '?prepid=x&page=1', '?include_docs=true']) {
        const response = await site.get(`/stats/api/fetch${query}`);
        expect(response.status, query).to.equal(400);
        const body = (await response.json()) as { error: string; message: string };
        expect(body.error).to.equal('BAD_REQUEST');
        expect(body.message).to.include('prepid, output_dataset');
      }
    });

    it('with no match answers an empty array', async () => {
      expect(await (await site.get('/stats/api/fetch?type=NoSuchType')).json()).to.deep.equal([]);
      expect(
        await (await site.get(`/stats/api/fetch?workflow_name=${STEPCHAIN}`)).json(),
      ).to.have.length(1);
      expect(
        await (await site.get('/stats/api/fetch?workflow_name=_design%2F_designDoc')).json(),
      ).to.deep.equal([]);
    });

    it('refuses malformed parameters with a JSON 400', async () => {
      const response = await site.get('/stats/api/fetch?prepid[]=a');
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.include({ error: 'BAD_REQUEST' });
    });
  });

  describe('md', () => {
    it('is a markdown table of RequestName, InputDataset and OutputDatasets, each linked', async () => {
      const response = await site.get(`/stats/md?prepid=${RERECO_PREPID}`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      const lines = (await response.text()).trimEnd().split('\n');
      expect(lines[0]).to.equal('| RequestName | InputDataset | OutputDatasets |');
      expect(lines[1]).to.equal('| --- | --- | --- |');
      expect(lines).to.have.length(4);
      const row = lines[2] as string;
      expect(row).to.include(
        `[${RERECO.replace(/_/g, '\\_')}](https://cmsweb.cern.ch/reqmgr2/fetch?rid=${RERECO})`,
      );
      expect(row).to.include(
        `[${RERECO_INPUT}](https://cmsweb.cern.ch/das/request?instance=prod/global&input=dataset%3D${RERECO_INPUT})`,
      );
      for (const dataset of RERECO_DATASETS) expect(row).to.include(`[${dataset}](`);
      expect(lines[3]).to.include(RESUBMISSION.replace(/_/g, '\\_'));
    });

    it('covers up to 5 pages (500 workflows)', async () => {
      const lines = (await (await site.get('/stats/md?campaign=Summer24GS')).text())
        .trimEnd()
        .split('\n');
      expect(lines).to.have.length(2 + 500);
      const everything = (await (await site.get('/stats/md')).text()).trimEnd().split('\n');
      expect(everything).to.have.length(2 + 500);
    });
  });

  it('serves an OpenAPI document describing the JSON API', async () => {
    const response = await site.get('/stats/api/openapi.json');
    expect(response.status).to.equal(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).to.match(/^3\./);
    expect(Object.keys(doc.paths)).to.include.members([
      '/stats/get_json/{name}',
      '/stats/api/get_json/{name}',
      '/stats/api/fetch',
      '/stats/md',
      '/stats/search',
      '/stats/api/search',
      '/stats/api/update',
      '/healthz',
    ]);
    expect(doc.paths['/stats/api/update']).to.have.property('post');
  });
});
