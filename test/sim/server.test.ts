/**
 * The simulator over real HTTPS: cmsweb's client-certificate rule, raw (unencoded) query
 * strings, the exact shapes of ReqMgr2 / CouchDB / WMStats / DBS answers, and injected
 * faults as they look on the wire.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { createCertificateAuthority, issueCertificate } from '../../sim/certs.js';
import { Faults, startSimulator, type Simulator } from '../../sim/index.js';
import { sharedCertificateDir, startTestSimulator } from './support.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  cert?: string;
  key?: string;
}

describe('sim HTTPS server', () => {
  let sim: Simulator;
  let client: { cert: string; key: string };
  let ca: string;

  /** Sends the path exactly as given (no encoding), like Stats2's http.client. */
  function raw(base: string, path: string, options: RawOptions = {}): Promise<RawAnswer> {
    const url = new URL(base);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: options.method ?? 'GET',
          headers: options.headers,
          ca,
          cert: options.cert,
          key: options.key,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }
  const cmsweb = (path: string, options: RawOptions = {}): Promise<RawAnswer> =>
    raw(sim.urls.cmsweb, path, { ...client, ...options });
  const dbs = (path: string, options: RawOptions = {}): Promise<RawAnswer> =>
    raw(sim.urls.cmswebProd, `/dbs/prod/global/DBSReader${path}`, { ...client, ...options });

  before(async () => {
    sim = await startTestSimulator({ seed: 2, workflows: 400, active: 60 });
    ca = readFileSync(sim.tls.caFile, 'utf8');
    client = {
      cert: readFileSync(sim.tls.clientCertFile, 'utf8'),
      key: readFileSync(sim.tls.clientKeyFile, 'utf8'),
    };
  });
  after(() => sim.close());
  afterEach(() => sim.faults.clear());

  it("starts simulated time at the wall clock, so DBS dates compare with an updater's real clock", async () => {
    const before = Math.floor(Date.now() / 1000);
    const own = await startSimulator({
      seed: 2,
      workflows: 10,
      active: 2,
      dir: await sharedCertificateDir(),
    });
    try {
      expect(own.world.startTime).to.be.within(before, Math.ceil(Date.now() / 1000));
    } finally {
      await own.close();
    }
  });

  describe('client certificates', () => {
    it('answers 401 with an empty body without a client certificate (cmsweb and DBS)', async () => {
      for (const answer of [
        await raw(sim.urls.cmsweb, '/couchdb/reqmgr_workload_cache/_changes?since=0'),
        await raw(sim.urls.cmsweb, '/wmstatsserver/data/filtered_requests?mask=RequestName'),
        await raw(sim.urls.cmswebProd, '/dbs/prod/global/DBSReader/datasets?min_ldate=0'),
      ]) {
        expect(answer.status).to.equal(401);
        expect(answer.body).to.equal('');
      }
    });

    it('answers 401 to a certificate from another CA, and serves one from its CA', async () => {
      const stranger = issueCertificate(createCertificateAuthority('Some Other CA'), 'client');
      const refused = await raw(
        sim.urls.cmsweb,
        '/couchdb/reqmgr_workload_cache/_changes?since=now',
        { cert: stranger.certPem, key: stranger.keyPem },
      );
      expect(refused).to.include({ status: 401, body: '' });
      expect((await cmsweb('/couchdb/reqmgr_workload_cache/_changes?since=now')).status).to.equal(
        200,
      );
    });

    it('does not ask for client certificates on SSO and PdmV hosts', async () => {
      const answer = await raw(sim.urls.sso, '/auth/realms/cern/api-access/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(answer.status).to.equal(401);
      expect(JSON.parse(answer.body)).to.include({ error: 'invalid_client' });
    });
  });

  describe('ReqMgr2 CouchDB', () => {
    it('streams _changes in CouchDB layout with opaque string sequences and pending', async () => {
      const answer = await cmsweb('/couchdb/reqmgr_workload_cache/_changes?since=0&limit=3');
      expect(answer.headers['transfer-encoding']).to.equal('chunked');
      expect(answer.body).to.match(
        /^\{"results":\[\n\{"seq":"1-[^"]+","id":"_design\/ReqMgr","changes":\[\{"rev":"\d+-[0-9a-f]{32}"\}\]\},\n/,
      );
      const page = JSON.parse(answer.body) as {
        results: Array<{ seq: string }>;
        last_seq: string;
        pending: number;
      };
      expect(page.results).to.have.length(3);
      expect(page.last_seq).to.equal(page.results[2]?.seq);
      expect(page.pending).to.equal(400 + 1 - 3);
    });

    it('accepts since as 0, "0", now, or an emitted sequence with or without prefix and quotes', async () => {
      const last = sim.world.lastSeq();
      const opaque = last.replace(/^\d+-/, '');
      for (const since of ['0', '"0"']) {
        expect(
          JSON.parse(
            (await cmsweb(`/couchdb/reqmgr_workload_cache/_changes?since=${since}&limit=1`)).body,
          ).results,
        ).to.have.length(1);
      }
      for (const since of [
        'now',
        last,
        `"${last}"`,
        opaque,
        `"${opaque}"`,
        encodeURIComponent(`"${last}"`),
      ]) {
        const page = JSON.parse(
          (await cmsweb(`/couchdb/reqmgr_workload_cache/_changes?since=${since}`)).body,
        ) as { results: unknown[]; last_seq: string };
        expect(page.results, since).to.deep.equal([]);
        expect(page.last_seq).to.equal(last);
      }
    });

    it('answers 400 to a sequence it never emitted, such as an old integer one', async () => {
      for (const since of ['123456', '12-abc', 'g1AAAAbogus']) {
        const answer = await cmsweb(`/couchdb/reqmgr_workload_cache/_changes?since=${since}`);
        expect(answer.status, since).to.equal(400);
        expect(JSON.parse(answer.body)).to.deep.equal({
          error: 'bad_request',
          reason: "Malformed sequence supplied in 'since' parameter.",
        });
      }
    });

    it('serves raw documents, 404 missing or deleted', async () => {
      const name = [...sim.world.list()][5]?.name as string;
      const answer = await cmsweb(`/couchdb/reqmgr_workload_cache/${name}`);
      const doc = JSON.parse(answer.body) as Record<string, unknown>;
      expect(doc).to.include({ _id: name, RequestName: name });
      expect(doc._attachments).to.have.nested.property('spec.stub', true);
      expect(answer.headers.etag).to.equal(`"${String(doc._rev)}"`);
      expect(
        JSON.parse(
          (await cmsweb('/couchdb/reqmgr_workload_cache/nobody_Nothing_250101_000000_1')).body,
        ),
      ).to.deep.equal({ error: 'not_found', reason: 'missing' });
      sim.world.deleteRequest(name);
      expect(
        JSON.parse((await cmsweb(`/couchdb/reqmgr_workload_cache/${name}`)).body),
      ).to.deep.equal({ error: 'not_found', reason: 'deleted' });
      expect(
        JSON.parse((await cmsweb('/couchdb/reqmgr_workload_cache/_design/ReqMgr')).body),
      ).to.have.property('views');
    });

    it('answers limit=0 as CouchDB 3 does: no rows, since as last_seq, the rest pending', async () => {
      const feed = async (query: string) =>
        JSON.parse((await cmsweb(`/couchdb/reqmgr_workload_cache/_changes?${query}`)).body) as {
          results: unknown[];
          last_seq: string;
          pending: number;
        };
      const now = await feed('since=now&limit=0');
      expect(now).to.deep.equal({ results: [], last_seq: sim.world.lastSeq(), pending: 0 });
      const all = await feed('since=0');
      const fromStart = await feed('limit=0');
      expect(fromStart.results).to.deep.equal([]);
      expect(fromStart.pending).to.equal(all.results.length);
      expect(sim.world.changes.decode(fromStart.last_seq)).to.deep.equal({ seq: 0 });
    });

    it('answers the database root with CouchDB 3 database info that follows the world', async () => {
      const info = async () => {
        const answer = await cmsweb('/couchdb/reqmgr_workload_cache');
        expect(answer.status).to.equal(200);
        return JSON.parse(answer.body) as Record<string, unknown>;
      };
      const before = await info();
      const workflows = [...sim.world.list()];
      const live = workflows.filter((workflow) => !workflow.deleted).length;
      expect(before).to.include({
        db_name: 'reqmgr_workload_cache',
        doc_count: live + 1, // and the design document
        doc_del_count: workflows.length - live,
        update_seq: sim.world.lastSeq(),
        compact_running: false,
      });
      expect(before.sizes).to.have.keys('file', 'external', 'active');

      const name = workflows.find((workflow) => !workflow.deleted)?.name as string;
      sim.world.deleteRequest(name);
      const after = await info();
      expect(after).to.include({
        doc_count: live,
        doc_del_count: workflows.length - live + 1,
        update_seq: sim.world.lastSeq(),
      });
      expect(after.update_seq).not.to.equal(before.update_seq);
      expect((await cmsweb('/couchdb/reqmgr_workload_cache/')).status).to.equal(200);
    });
  });

  describe('ReqMgr2 REST and WMStats', () => {
    it('masks chain requests with lists over tasks and null for missing keys', async () => {
      const chain = [...sim.world.list()].find(
        (s) => s.kind === 'mcm-taskchain' && s.prepId !== null,
      );
      const answer = await cmsweb(
        `/reqmgr2/data/request?mask=Campaign&mask=RequestType&mask=NoSuchKey&mask=AcquisitionEra&prep_id=${chain?.prepId as string}`,
      );
      expect(answer.headers['x-rest-status']).to.equal('100');
      expect(answer.body.startsWith('{"result": [\n{')).to.equal(true);
      const result = (
        JSON.parse(answer.body) as { result: Array<Record<string, Record<string, unknown>>> }
      ).result;
      expect(result).to.have.length(1);
      const entry = result[0]?.[chain?.name as string];
      expect(entry?.RequestType).to.equal('TaskChain');
      expect(entry?.NoSuchKey).to.equal(null);
      expect(entry?.Campaign).to.be.an('array').with.length.above(0);
      expect(entry?.AcquisitionEra).to.be.an('array');
      expect(
        JSON.parse((await cmsweb('/reqmgr2/data/request?prep_id=NO-SUCH-00001')).body),
      ).to.deep.equal({ result: [] });
    });

    it('lists every active request in WMStats', async () => {
      const answer = await cmsweb('/wmstatsserver/data/filtered_requests?mask=RequestName');
      const names = (
        JSON.parse(answer.body) as { result: Array<{ RequestName: string }> }
      ).result.map((r) => r.RequestName);
      expect(new Set(names)).to.deep.equal(new Set(sim.world.activeRequests().map((r) => r.name)));
      const statuses = (
        JSON.parse(
          (await cmsweb('/wmstatsserver/data/filtered_requests?mask=RequestStatus')).body,
        ) as { result: Array<{ RequestStatus: string }> }
      ).result;
      expect(statuses.every((r) => !r.RequestStatus.endsWith('-archived'))).to.equal(true);
    });
  });

  describe('DBS', () => {
    const archived = (): { name: string; outputs: string[] } => {
      const s = [...sim.world.list()].find(
        (w) =>
          w.kind === 'rereco' &&
          w.status === 'normal-archived' &&
          w.outputDatasets.some((d) => sim.world.dataset(d)?.accessType === 'VALID'),
      );
      return { name: s?.name as string, outputs: s?.outputDatasets ?? [] };
    };

    it('rejects unknown GET parameters with a list-shaped DBS error', async () => {
      const answer = await dbs('/filesummaries?dataset=/A/B/RAW&bogus=1');
      expect(answer.status).to.equal(400);
      const body = JSON.parse(answer.body) as Array<{ error: { code: number } }>;
      expect(body).to.be.an('array').with.length(1);
      expect(body[0]?.error.code).to.equal(118);
    });

    it('requires exactly application/json on datasetlist (415 otherwise)', async () => {
      const { outputs } = archived();
      const payload = JSON.stringify({ dataset: outputs, detail: 1, dataset_access_type: '*' });
      const refused = await dbs('/datasetlist', {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: payload,
      });
      expect(refused.status).to.equal(415);
      const answer = await dbs('/datasetlist', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      expect(answer.body.startsWith('[\n{"acquisition_era_name"')).to.equal(true);
      const rows = JSON.parse(answer.body) as Array<{
        dataset: string;
        dataset_access_type: string;
      }>;
      expect(rows.map((r) => r.dataset)).to.deep.equal(
        outputs.filter((d) => sim.world.dataset(d) !== undefined).sort(),
      );
    });

    it('answers filesummaries with exactly one row, zeros for unknown datasets and validFileOnly on non-VALID ones', async () => {
      const unknown = JSON.parse(
        (await dbs('/filesummaries?dataset=/No/Such-v1/AOD')).body,
      ) as unknown[];
      expect(unknown).to.deep.equal([
        {
          file_size: 0,
          max_ldate: null,
          median_cdate: null,
          median_ldate: null,
          num_block: 0,
          num_event: 0,
          num_file: 0,
          num_lumi: 0,
        },
      ]);
      const valid = archived().outputs.find(
        (d) => sim.world.dataset(d)?.accessType === 'VALID',
      ) as string;
      const all = JSON.parse((await dbs(`/filesummaries?dataset=${valid}`)).body) as Array<{
        num_event: number;
        num_file: number;
      }>;
      const validOnly = JSON.parse(
        (await dbs(`/filesummaries?dataset=${valid}&validFileOnly=1`)).body,
      ) as Array<{ num_event: number; num_file: number }>;
      expect(all).to.have.length(1);
      expect(all[0]?.num_event).to.be.above(0);
      expect(validOnly[0]?.num_file).to.be.at.most(all[0]?.num_file ?? 0);
      sim.world.setDataset(valid, { accessType: 'INVALID' });
      expect(
        (
          JSON.parse((await dbs(`/filesummaries?dataset=${valid}&validFileOnly=1`)).body) as Array<{
            num_event: number;
          }>
        )[0]?.num_event,
      ).to.equal(0);
      expect(
        (
          JSON.parse((await dbs(`/filesummaries?dataset=${valid}`)).body) as Array<{
            num_event: number;
          }>
        )[0]?.num_event,
      ).to.equal(all[0]?.num_event);
    });

    it('answers files?run_num&lumi_list (raw brackets) with one row per file and whole-file events', async () => {
      const name = '/Raw/Query-Test-v1/RAW';
      sim.world.setDataset(name, { files: 4, eventsPerFile: 500, lumisPerFile: 10, run: 355000 });
      const answer = await dbs(
        `/files?dataset=${name}&detail=true&run_num=355000&lumi_list=[[5,12],[31,31]]`,
      );
      const rows = JSON.parse(answer.body) as Array<{
        logical_file_name: string;
        event_count: number;
        run_num: number;
        is_file_valid: number;
      }>;
      expect(rows.map((r) => [r.event_count, r.run_num])).to.deep.equal([
        [500, 355000],
        [500, 355000],
        [500, 355000],
      ]);
      const flat = JSON.parse(
        (await dbs(`/files?dataset=${name}&detail=true&run_num=355000&lumi_list=[1,2,3]`)).body,
      ) as unknown[];
      expect(flat).to.have.length(1);
      expect((await dbs(`/files?dataset=${name}&run_num=1`)).status).to.equal(400);
    });

    it('lists datasets modified strictly after min_ldate, any access type with *', async () => {
      const t0 = sim.world.now();
      sim.world.advance(3 * 86400);
      const rows = JSON.parse(
        (await dbs(`/datasets?min_ldate=${t0}&dataset_access_type=*`)).body,
      ) as Array<{ dataset: string }>;
      const expected = sim.world.datasetsModifiedAfter(t0).map((d) => d.name);
      expect(rows.map((r) => r.dataset)).to.deep.equal(expected);
      expect(Object.keys(rows[0] ?? {})).to.deep.equal(['dataset']);
      const validOnly = JSON.parse((await dbs(`/datasets?min_ldate=${t0}`)).body) as Array<{
        dataset: string;
      }>;
      expect(validOnly.length).to.be.below(rows.length);
    });
  });

  describe('injected faults on the wire', () => {
    const changes = (): Promise<RawAnswer> =>
      cmsweb('/couchdb/reqmgr_workload_cache/_changes?since=now');

    it('sends HTML proxy errors, empty 401s, DBS list errors and 5xx', async () => {
      sim.faults.set('changes', { htmlError: 1, times: 1 });
      const html = await changes();
      expect(html.status).to.equal(502);
      expect(html.headers['content-type']).to.match(/^text\/html/);
      expect(html.body).to.include('Proxy Error');
      expect((await changes()).status).to.equal(200);
      sim.faults.set('changes', { unauthorized: 1, times: 1 });
      expect(await changes()).to.include({ status: 401, body: '' });
      sim.faults.set('filesummaries', { dbsListError: 1, times: 1 });
      const listError = await dbs('/filesummaries?dataset=/A/B/RAW');
      expect([400, 500]).to.include(listError.status);
      expect(JSON.parse(listError.body)).to.be.an('array').with.nested.property('[0].error.code');
      sim.faults.set('changes', { status5xx: 1, times: 1 });
      expect([500, 502, 503, 504]).to.include((await changes()).status);
    });

    it('resets connections and cuts bodies', async () => {
      sim.faults.set('changes', { reset: 1, times: 1 });
      const reset = await changes().then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(reset).to.equal('ECONNRESET');
      sim.faults.set('changes', { truncate: 1, times: 4 });
      for (let i = 0; i < 4; i++) {
        const outcome = await changes().then(
          (answer) => answer.body,
          (err: NodeJS.ErrnoException) => err.code ?? 'error',
        );
        expect(() => JSON.parse(outcome)).to.throw();
      }
    });

    it('hangs on timeout faults and adds latency', async () => {
      sim.faults.set('changes', { timeout: 1, times: 1 });
      const hung = await Promise.race([
        changes().then(() => 'answered'),
        new Promise((resolve) => setTimeout(() => resolve('hanging'), 300)),
      ]);
      expect(hung).to.equal('hanging');
      sim.faults.set('changes', { latencyMs: 150, times: 1 });
      const started = Date.now();
      expect((await changes()).status).to.equal(200);
      expect(Date.now() - started).to.be.at.least(140);
    });

    it('restricts a fault to the requests that name one dataset', async () => {
      const bad = '/Bad/Dataset-v1/AODSIM';
      const good = '/Good/Dataset-v1/AODSIM';
      sim.faults.set('*', { dataset: bad, dbsListError: 1, times: 2 });
      const list = (names: string[]) =>
        dbs('/datasetlist', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ dataset: names, detail: 1, dataset_access_type: '*' }),
        });
      expect((await list([good])).status).to.equal(200);
      expect((await dbs(`/filesummaries?dataset=${good}`)).status).to.equal(200);
      expect((await changes()).status).to.equal(200);
      expect([400, 500]).to.include((await list([good, bad])).status);
      expect([400, 500]).to.include((await dbs(`/filesummaries?dataset=${bad}`)).status);
      // `times` counted only the two requests that named it.
      expect((await list([bad])).status).to.equal(200);
    });

    it('draws the same faults for the same seed', () => {
      const decisions = (): unknown[] => {
        const faults = new Faults(7);
        faults.set('files', { status5xx: 0.3, reset: 0.3, latencyMs: { min: 0, max: 50 } });
        return Array.from({ length: 20 }, () => faults.decide('files'));
      };
      const first = decisions();
      expect(decisions()).to.deep.equal(first);
      expect(new Set(first.map((d) => (d as { fault?: string }).fault)).size).to.be.above(1);
    });
  });
});
