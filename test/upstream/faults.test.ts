/**
 * Every injected fault on every endpoint ends either in the same answer as without the
 * fault (after a retry) or in a typed UpstreamError — never in parsed garbage.
 */
import { expect } from 'chai';
import type { EndpointName, FaultSpec, Simulator } from '../../sim/index.js';
import {
  UpstreamError,
  type NotifiableWorkflow,
  type UpstreamErrorCode,
} from '../../updater/upstream/index.js';
import { retryAfterMs } from '../../updater/upstream/http.js';
import { startTestSimulator } from '../sim/support.js';
import { clientFor, type TestClient } from './support.js';

/** The upstream clients' endpoints (the simulator's clock is read by readClockUrl, tested in ops/clock-url.test.ts). */
type ClientEndpoint = Exclude<EndpointName, 'clock'>;
type FaultKind = Exclude<keyof FaultSpec, 'latencyMs' | 'times' | 'dataset'>;
const KINDS: FaultKind[] = [
  'status5xx',
  'timeout',
  'reset',
  'truncate',
  'htmlError',
  'dbsListError',
  'unauthorized',
];
const TIMEOUT_MS = 300;

/** What a failed call may report, per fault. */
const ERROR_CODES: Record<FaultKind, UpstreamErrorCode[]> = {
  status5xx: ['UPSTREAM_HTTP'],
  timeout: ['UPSTREAM_TIMEOUT'],
  reset: ['UPSTREAM_NETWORK'],
  truncate: ['UPSTREAM_NETWORK', 'UPSTREAM_BAD_BODY'],
  htmlError: ['UPSTREAM_HTTP'],
  dbsListError: ['UPSTREAM_HTTP'],
  unauthorized: ['UPSTREAM_HTTP'],
};
/** Faults a retry can get past (a DBS error list only when it comes with HTTP 500). */
const TRANSIENT: ReadonlySet<FaultKind> = new Set([
  'status5xx',
  'timeout',
  'reset',
  'truncate',
  'htmlError',
]);

describe('upstream clients under injected faults', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let calls: Record<ClientEndpoint, (client: TestClient) => Promise<unknown>>;
  /** Calls the clients retry; the PdmV POSTs and the token request are sent once. */
  const retried: ReadonlySet<EndpointName> = new Set([
    'changes',
    'request',
    'reqmgr2',
    'wmstats',
    'datasetlist',
    'filesummaries',
    'files',
    'datasets',
    'mcm',
  ]);

  before(async () => {
    sim = await startTestSimulator({ seed: 6, workflows: 300, active: 40 });
    const docs = [...sim.world.list()]
      .map((s) => sim.world.request(s.name))
      .filter((d) => d !== undefined);
    const pick = (predicate: (doc: Record<string, unknown>) => boolean): NotifiableWorkflow => {
      const doc = docs.find(predicate);
      if (doc === undefined) throw new Error('no such workflow');
      return {
        RequestName: doc._id,
        RequestType: doc.RequestType as string,
        PrepID: doc.PrepID as string | null,
      };
    };
    const rereco = pick((d) => d.RequestType === 'ReReco');
    const relval = pick((d) => String(d._id).includes('RVCMSSW'));
    const mcm = pick((d) => String(d.PrepID).startsWith('task_'));
    const dataset = '/Fault/Injection-v1/RAW';
    sim.world.setDataset(dataset, { files: 5, run: 1000, accessType: 'VALID' });
    calls = {
      changes: (c) => c.upstream.reqmgr.changes(0, 5),
      request: (c) => c.upstream.reqmgr.request(mcm.RequestName),
      reqmgr2: (c) =>
        c.upstream.reqmgr.requestsByPrepId(rereco.PrepID as string, [
          'RequestType',
          'TotalInputEvents',
        ]),
      wmstats: (c) => c.upstream.wmstats.activeWorkflows(),
      datasetlist: (c) => c.upstream.dbs.datasetList([dataset]),
      filesummaries: (c) => c.upstream.dbs.fileSummaries(dataset, true),
      files: (c) => c.upstream.dbs.files(dataset, 1000, [[1, 1000]], false),
      datasets: (c) => c.upstream.dbs.datasetsModifiedSince(sim.world.now() - 10),
      token: (c) => c.upstream.pdmv.notify(mcm, 'prod'),
      mcm: (c) => c.upstream.pdmv.notify(mcm, 'prod'),
      rereco: (c) => c.upstream.pdmv.notify(rereco, 'prod'),
      relval: (c) => c.upstream.pdmv.notify(relval, 'dev'),
    };
  });
  after(() => sim.close());
  afterEach(() => sim.faults.clear());

  async function outcomeOf(
    client: TestClient,
    endpoint: ClientEndpoint,
    spec: FaultSpec,
  ): Promise<{ value?: unknown; error?: unknown; attempts: number }> {
    const before = sim.counts[endpoint] ?? 0;
    sim.faults.set(endpoint, spec);
    const outcome = await calls[endpoint](client).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    sim.faults.clear();
    return { ...outcome, attempts: (sim.counts[endpoint] ?? 0) - before };
  }

  /** The token is cached after the first notification: token faults need a fresh client each time. */
  async function withClient<T>(use: (client: TestClient) => Promise<T>): Promise<T> {
    const client = clientFor(sim, { timeoutMs: TIMEOUT_MS, retries: 2 });
    try {
      return await use(client);
    } finally {
      await client.upstream.close();
    }
  }

  for (const endpoint of [
    'changes',
    'request',
    'reqmgr2',
    'wmstats',
    'datasetlist',
    'filesummaries',
    'files',
    'datasets',
    'token',
    'mcm',
    'rereco',
    'relval',
  ] as const) {
    it(`${endpoint}: each fault ends in a retry that succeeds or a typed error`, async () => {
      const expected = await withClient((client) => calls[endpoint](client));
      const shared = clientFor(sim, { timeoutMs: TIMEOUT_MS, retries: 2 });
      try {
        for (const kind of KINDS) {
          const spec = { [kind]: 1, times: 1 };
          const { value, error, attempts } =
            endpoint === 'token'
              ? await withClient((client) => outcomeOf(client, endpoint, spec))
              : await outcomeOf(shared, endpoint, spec);
          const label = `${endpoint} + ${kind}`;
          if (error === undefined) {
            expect(value, label).to.deep.equal(expected);
            expect(retried.has(endpoint), `${label} succeeded without a retry`).to.equal(true);
            expect(attempts, label).to.equal(2);
            continue;
          }
          expect(error, label).to.be.instanceOf(UpstreamError);
          const upstreamError = error as UpstreamError;
          expect(ERROR_CODES[kind], `${label}: ${upstreamError.message}`).to.include(
            upstreamError.code,
          );
          const retriable =
            retried.has(endpoint) && (TRANSIENT.has(kind) || upstreamError.status === 500);
          expect(retriable, `${label} should have been retried: ${upstreamError.message}`).to.equal(
            false,
          );
          expect(attempts, label).to.equal(1);
        }
        // The client still works after all that.
        expect(await calls[endpoint](shared)).to.deep.equal(expected);
      } finally {
        await shared.upstream.close();
      }
    });
  }

  it('gives up with a typed error after the configured retries', async () => {
    for (const [endpoint, kind] of [
      ['filesummaries', 'htmlError'],
      ['changes', 'reset'],
      ['wmstats', 'htmlError'],
      ['datasets', 'truncate'],
    ] as const) {
      const { error, attempts } = await withClient((client) =>
        outcomeOf(client, endpoint, { [kind]: 1, times: 10 }),
      );
      expect(error, `${endpoint} + ${kind}`).to.be.instanceOf(UpstreamError);
      expect(attempts, `${endpoint} + ${kind}`).to.equal(3);
    }
  });

  it('fails a datasetlist naming a bad dataset as a whole; retry: false sends it once', async () => {
    const bad = '/Fault/Injection-v1/RAW';
    const good = '/Fault/Other-v1/RAW';
    sim.world.setDataset(good, { files: 1, run: 1000, accessType: 'VALID' });
    sim.faults.set('datasetlist', { dataset: bad, htmlError: 1 });
    await withClient(async (client) => {
      expect(await client.upstream.dbs.datasetList([good])).to.deep.equal([
        { dataset: good, dataset_access_type: 'VALID' },
      ]);
      let before = sim.counts.datasetlist ?? 0;
      const retried = await client.upstream.dbs.datasetList([good, bad]).catch((e: unknown) => e);
      expect(retried).to.be.instanceOf(UpstreamError);
      expect((sim.counts.datasetlist ?? 0) - before).to.equal(3); // 1 + UPSTREAM_RETRIES (2)
      before = sim.counts.datasetlist ?? 0;
      const once = await client.upstream.dbs
        .datasetList([good, bad], { retry: false })
        .catch((e: unknown) => e);
      expect((once as UpstreamError).status).to.equal(502);
      expect((sim.counts.datasetlist ?? 0) - before).to.equal(1);
    });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs('7', now)).to.equal(7000);
    expect(retryAfterMs(new Date(now + 3000).toUTCString(), now)).to.equal(3000);
    expect(retryAfterMs(new Date(now - 3000).toUTCString(), now)).to.equal(0);
    expect(retryAfterMs('soon', now)).to.equal(undefined);
    expect(retryAfterMs(undefined, now)).to.equal(undefined);
  });

  it('waits out latency within the timeout', async () => {
    const { value, attempts } = await withClient((client) =>
      outcomeOf(client, 'filesummaries', { latencyMs: { min: 50, max: 150 }, times: 3 }),
    );
    expect(value).to.include({ num_file: 5 });
    expect(attempts).to.equal(1);
  });
});
