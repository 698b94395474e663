/** ReqMgr2 and WMStats clients against the simulator over mutual TLS. */
import { expect } from 'chai';
import type { Simulator } from '../../sim/index.js';
import { createLogger } from '../../lib/logger.js';
import {
  createUpdaterUpstream,
  MalformedSinceError,
  UpstreamError,
  UpstreamNotFoundError,
  type ReqMgrChangeRow,
} from '../../updater/upstream/index.js';
import { startTestSimulator } from '../sim/support.js';
import { clientFor, type TestClient } from './support.js';

describe('upstream ReqMgr2 and WMStats clients', () => {
  let sim: Simulator;
  let client: TestClient;

  before(async () => {
    sim = await startTestSimulator({ seed: 3, workflows: 300, active: 50 });
    client = clientFor(sim);
  });
  after(async () => {
    await client.upstream.close();
    await sim.close();
  });

  describe('changes', () => {
    it('pages through the feed with limit, pending and last_seq, and ends with nothing new', async () => {
      const seen: ReqMgrChangeRow[] = [];
      let since: string | number = 0;
      for (;;) {
        const page = await client.upstream.reqmgr.changes(since, 120);
        seen.push(...page.results);
        expect(page.last_seq).to.be.a('string');
        since = page.last_seq;
        if (page.pending === 0) break;
        expect(page.results).to.have.length(120);
      }
      expect(seen).to.have.length(301);
      expect(seen[0]).to.deep.equal({ seq: seen[0]?.seq, id: '_design/ReqMgr' });
      expect(seen.every((row) => /^\d+-\S+$/.test(row.seq))).to.equal(true);
      expect((await client.upstream.reqmgr.changes(since, 10)).results).to.deep.equal([]);
      expect((await client.upstream.reqmgr.changes('now', 10)).last_seq).to.equal(
        sim.world.lastSeq(),
      );
    });

    it('shows deletions and transitions after time passes, each document once', async () => {
      const since = (await client.upstream.reqmgr.changes('now', 1)).last_seq;
      const victim = sim.world.activeRequests()[0]?.name as string;
      sim.world.deleteRequest(victim);
      sim.world.advance(2 * 86400);
      const page = await client.upstream.reqmgr.changes(since, 100_000);
      const ids = page.results.map((r) => r.id);
      expect(new Set(ids).size).to.equal(ids.length);
      expect(page.results.find((r) => r.id === victim)).to.deep.include({
        id: victim,
        deleted: true,
      });
      expect(page.results.filter((r) => r.deleted !== true).length).to.be.above(5);
    });

    it('turns a never-emitted since into MalformedSinceError (restart from 0)', async () => {
      const err = await client.upstream.reqmgr.changes(123456, 10).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(MalformedSinceError);
      expect(err).to.include({ code: 'MALFORMED_SINCE', since: '123456' });
      expect((err as Error).message).to.include('restart the feed from 0');
    });
  });

  describe('request documents', () => {
    it('returns the raw document', async () => {
      const summary = [...sim.world.list()].find((s) => s.kind === 'mcm-taskchain' && !s.deleted);
      const doc = await client.upstream.reqmgr.request(summary?.name as string);
      expect(doc).to.deep.equal(sim.world.request(summary?.name as string));
      expect(doc.RequestName).to.equal(summary?.name);
    });

    it('throws UpstreamNotFoundError for missing and deleted documents', async () => {
      const missing = await client.upstream.reqmgr
        .request('nobody_Nothing_250101_000000_1')
        .catch((e: unknown) => e);
      expect(missing).to.be.instanceOf(UpstreamNotFoundError);
      expect(missing).to.include({ code: 'UPSTREAM_NOT_FOUND', reason: 'missing', status: 404 });
      const name = [...sim.world.list()].find((s) => !s.deleted)?.name as string;
      sim.world.deleteRequest(name);
      const deleted = await client.upstream.reqmgr.request(name).catch((e: unknown) => e);
      expect(deleted).to.include({ code: 'UPSTREAM_NOT_FOUND', reason: 'deleted' });
    });

    it('refuses a document that is not a request', async () => {
      const err = await client.upstream.reqmgr.request('_design/ReqMgr').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(UpstreamError);
      expect(err).to.include({ code: 'UPSTREAM_SCHEMA' });
    });
  });

  describe('requests by PrepID', () => {
    it('returns {name: {mask: value}} for every request sharing the PrepID', async () => {
      const acdc = [...sim.world.list()].find(
        (s) =>
          s.kind === 'resubmission' &&
          !s.deleted &&
          sim.world.describe(s.parentName as string)?.deleted === false,
      );
      const answer = await client.upstream.reqmgr.requestsByPrepId(acdc?.prepId as string, [
        'TotalInputEvents',
        'RequestType',
      ]);
      expect(answer)
        .to.have.property(acdc?.name as string)
        .that.has.property('RequestType', 'Resubmission');
      expect(answer).to.have.property(acdc?.parentName as string);
      for (const masked of Object.values(answer))
        expect(Object.keys(masked)).to.deep.equal(['TotalInputEvents', 'RequestType']);
      expect(
        await client.upstream.reqmgr.requestsByPrepId('NO-SUCH-00001', ['RequestType']),
      ).to.deep.equal({});
    });
  });

  describe("the update run's port", () => {
    it('serves the run through the same clients, with notFound on missing documents', async () => {
      const port = createUpdaterUpstream(client.config.upstream, createLogger({ level: 'silent' }));
      try {
        const page = await port.changes('now', 5);
        expect(page.last_seq).to.equal(sim.world.lastSeq());
        const missing = await port
          .request('nobody_Nothing_250101_000000_3')
          .catch((e: unknown) => e);
        expect(missing).to.include({ notFound: true });
        const rereco = sim.world
          .findRequests({ types: ['ReReco'] })
          .find((doc) => Object.keys(doc.LumiList as object).length > 0);
        const [run, ranges] =
          Object.entries(rereco?.LumiList as Record<string, Array<[number, number]>>)[0] ?? [];
        const rows = await port.files(
          rereco?.InputDataset as string,
          run as string,
          ranges ?? [],
          false,
        );
        expect(rows.length).to.be.above(0);
      } finally {
        await port.close();
      }
    });
  });

  describe('WMStats', () => {
    it('lists the active workflows', async () => {
      const names = await client.upstream.wmstats.activeWorkflows();
      expect(new Set(names)).to.deep.equal(new Set(sim.world.activeRequests().map((r) => r.name)));
      expect(names.length).to.be.above(10);
    });
  });
});
