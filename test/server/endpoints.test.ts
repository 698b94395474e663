import { expect } from 'chai';
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
  TASKCHAIN_DATASETS,
  TASKCHAIN_PREPID,
  TASKCHAIN_PROCESSING_STRING,
} from './fixtures.js';
import { startTestWebsite, type TestWebsite } from './support.js';

const e = encodeURIComponent;
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

    it('redirects to the first filter that matches, in the order of SPEC §6', async () => {
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
      expect(await redirect('nothing matches this')).to.equal(
        `/stats/?workflow_name=${e('nothing matches this')}`,
      );
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

    it('without a filter answers all workflows; with no match an empty array', async () => {
      const docs = (await (await site.get('/stats/api/fetch')).json()) as Array<{ _id: string }>;
      expect(docs.map((d) => d._id)).to.deep.equal(all.map((d) => d._id).sort());
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
      '/stats/api/update',
      '/healthz',
    ]);
    expect(doc.paths['/stats/api/update']).to.have.property('post');
  });
});
