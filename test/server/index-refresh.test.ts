import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { connect } from '../../couch/connection.js';
import { SettingsRepository } from '../../couch/settings.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { createLogger } from '../../lib/logger.js';
import { composeWebsite } from '../../compose-website.js';
import { WorkflowIndex } from '../../server/read-model/workflow-index.js';
import { couchWorkflowSource } from '../../server/read-model/workflow-source.js';
import { setUpTestDatabases } from '../support/couch.js';
import { fixtureWorkflows, NOW, STEPCHAIN, TASKCHAIN } from './fixtures.js';
import { blockOf, eventually, namesOn, startTestWebsite, type TestWebsite } from './support.js';

const NEW_WORKFLOW = 'pdmvserv_task_TOP-Run3Summer23GS-00077__v1_T_251001_101010_4242';

describe('website: the index follows the database without a restart', function () {
  let site: TestWebsite;

  before(async () => {
    site = await startTestWebsite('refresh', fixtureWorkflows());
  });
  after(() => site.close());

  const listNames = async (query = '') => namesOn(await (await site.get(`/stats/${query}`)).text());

  it('a new workflow shows within seconds, in the list and through its filters', async () => {
    const doc: StoredWorkflow = {
      _id: NEW_WORKFLOW,
      RequestName: NEW_WORKFLOW,
      RequestType: 'StepChain',
      PrepID: 'task_TOP-Run3Summer23GS-00077',
      Campaigns: ['Run3Summer23GS'],
      OutputDatasets: ['/TTto2L2Nu/Run3Summer23GS-v1/GEN-SIM'],
      TotalEvents: 100,
      LastUpdate: NOW,
    };
    expect((await site.workflows.writeMany([doc]))[0]?.ok).to.equal(true);
    await eventually(async () => expect(await listNames()).to.include(NEW_WORKFLOW), 5000);
    expect(await listNames('?campaign=Run3Summer23GS')).to.deep.equal([NEW_WORKFLOW]);
    expect(await listNames('?type=StepChain')).to.deep.equal([STEPCHAIN, NEW_WORKFLOW]);
    const header = await (await site.get('/stats/')).text();
    expect(header).to.include(`<dd>${fixtureWorkflows().length + 1}</dd>`);
  });

  it('a changed workflow shows its new numbers', async () => {
    const current = (await site.workflows.get(TASKCHAIN)) as StoredWorkflow;
    await site.workflows.writeMany([{ ...current, RequestPriority: 123456 }]);
    await eventually(async () => {
      const page = await (await site.get(`/stats/?workflow_name=${TASKCHAIN}`)).text();
      expect(blockOf(page, TASKCHAIN)).to.include('<dt>Priority</dt><dd>123,456</dd>');
    }, 5000);
  });

  it('a deleted workflow disappears, from the list and from filters', async () => {
    expect(await listNames('?campaign=Run3Summer23GS')).to.deep.equal([NEW_WORKFLOW]);
    const outcomes = await site.workflows.deleteMany([NEW_WORKFLOW]);
    expect(outcomes[0]?.ok).to.equal(true);
    await eventually(async () => expect(await listNames()).not.to.include(NEW_WORKFLOW), 5000);
    expect(await listNames('?campaign=Run3Summer23GS')).to.deep.equal([]);
    expect((await site.get(`/stats/get_json/${NEW_WORKFLOW}`)).status).to.equal(404);
  });

  it('/healthz says ok once CouchDB answers and the index is current', async () => {
    const response = await site.get('/healthz');
    expect(response.status).to.equal(200);
    const report = (await response.json()) as {
      status: string;
      couchdb: { ok: boolean };
      index: { state: string; workflows: number; lagSeconds: number; loadedFrom: string };
    };
    expect(report.status).to.equal('ok');
    expect(report.couchdb.ok).to.equal(true);
    expect(report.index).to.include({
      state: 'ready',
      workflows: fixtureWorkflows().length,
      loadedFrom: 'database',
    });
    expect(report.index.lagSeconds).to.be.below(5);
  });

  it('/metrics counts requests by route and reports the index size and lag', async () => {
    await site.get('/stats/0');
    await site.get(`/stats/get_json/${TASKCHAIN}`);
    const text = await (await site.get('/metrics')).text();
    expect(text).to.match(
      /stats2_http_requests_total\{route="\/stats\/:page",method="GET",status="200"\} \d+/,
    );
    expect(text).to.match(
      /stats2_http_requests_total\{route="\/stats\/get_json\/:name",method="GET",status="200"\} \d+/,
    );
    expect(text).to.match(
      /stats2_http_request_duration_seconds_bucket\{le="0.05",route="\/stats\/:page",method="GET"\} \d+/,
    );
    expect(text).to.include(`stats2_index_workflows ${fixtureWorkflows().length}`);
    expect(text).to.include('stats2_index_ready 1');
    expect(text).to.match(/stats2_index_lag_seconds \d/);
    expect(text).not.to.include(`route="/stats/${TASKCHAIN}"`);
  });
});

describe('website: while the index is still reading the database', function () {
  let server: http.Server;
  let origin: string;
  let index: WorkflowIndex;

  before(async () => {
    const { couch, names } = await setUpTestDatabases('loading');
    const workflows = new WorkflowRepository(couch.anonymous, names.requests);
    await new WorkflowRepository(couch.server, names.requests).writeMany(fixtureWorkflows());
    const never = new Promise<never>(() => undefined);
    index = new WorkflowIndex({
      source: {
        location: { couchUrl: 'http://never', database: names.requests },
        state: () => never,
        readAll: () => ({ [Symbol.asyncIterator]: () => ({ next: () => never }) }),
        changesSince: () => never,
        revisions: () => ({ [Symbol.asyncIterator]: () => ({ next: () => never }) }),
        revisionsOf: () => never,
        documents: () => never,
      },
      logger: createLogger({ level: 'silent' }),
    });
    void index.start();
    const website = composeWebsite({
      prefix: '/stats',
      updateToken: undefined,
      workflows,
      settings: new SettingsRepository(couch.anonymous, names.settings),
      index,
      logger: createLogger({ level: 'silent' }),
    });
    server = http.createServer(website.listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await index.stop();
  });

  it('pages answer 503 "starting" with Retry-After; health says not ready; documents are served', async () => {
    for (const path of ['/stats/', '/stats/3', '/stats/search?q=x']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal('5');
      expect(await response.text()).to.include('Stats2 is starting');
    }
    const md = await fetch(`${origin}/stats/md`);
    expect(md.status).to.equal(503);
    expect(await md.json()).to.have.property('error', 'UNAVAILABLE');
    const health = await fetch(`${origin}/healthz`);
    expect(health.status).to.equal(503);
    const report = (await health.json()) as { status: string; index: { state: string } };
    expect(report.status).to.equal('starting');
    expect(report.index.state).to.equal('starting');
    expect((await fetch(`${origin}/stats/get_json/${TASKCHAIN}`)).status).to.equal(200);
    expect((await fetch(`${origin}/stats/workflow/${TASKCHAIN}`)).status).to.equal(200);
  });
});

describe('website: /healthz when CouchDB cannot be reached', function () {
  let server: http.Server;
  let origin: string;
  let index: WorkflowIndex;
  const logs: string[] = [];
  let couchAddress: string;

  before(async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    couchAddress = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = connect({ url: `http://${couchAddress}` });
    const workflows = new WorkflowRepository(unreachable, 'stats2_requests');
    const logger = createLogger(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    index = new WorkflowIndex({
      source: couchWorkflowSource(workflows, `http://${couchAddress}`),
      logger,
    });
    void index.start();
    const website = composeWebsite({
      prefix: '/stats',
      updateToken: undefined,
      workflows,
      settings: new SettingsRepository(unreachable, 'stats2_settings'),
      index,
      logger,
    });
    server = http.createServer(website.listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await index.stop();
  });

  it('answers 503 "database unreachable" in public; the reason goes to the log, once', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${origin}/healthz`);
      expect(response.status).to.equal(503);
      const body = await response.text();
      const report = JSON.parse(body) as {
        status: string;
        couchdb: { ok: boolean; error: string };
      };
      expect(report.status).to.equal('unavailable');
      expect(report.couchdb).to.include({ ok: false, error: 'database unreachable' });
      expect(body).not.to.include(couchAddress.split(':')[1]);
      expect(body).not.to.match(/ECONNREFUSED|127\.0\.0\.1/);
    }
    const failures = logs.filter((line) => line.includes('health: reading stats2_requests failed'));
    expect(failures).to.have.length(1);
    expect(failures[0]).to.include('ECONNREFUSED');
  });
});
