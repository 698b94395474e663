/** `/healthz`'s CouchDB probe: shared by requests at the same time, reused for a moment. */
import { expect } from 'chai';
import type { WorkflowRepository } from '../../../couch/workflows.js';
import { createLogger } from '../../../lib/logger.js';
import { HealthCheck } from '../../../server/http/health.js';
import type { WorkflowIndex } from '../../../server/read-model/workflow-index.js';

function healthWith(probeReuseMs: number) {
  let asked = 0;
  let reachable = true;
  const workflows = {
    name: 'stats2_requests',
    db: {
      info: async () => {
        asked++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:5984');
        return {};
      },
    },
  } as unknown as WorkflowRepository;
  const index = {
    status: () => ({ state: 'ready', workflows: 3, lagMs: 0, loadedFrom: 'database' }),
  } as unknown as WorkflowIndex;
  const health = new HealthCheck({
    index,
    workflows,
    logger: createLogger({ level: 'silent', name: 'health-test' }),
    maxLagMs: 60_000,
    probeReuseMs,
  });
  return {
    health,
    asked: () => asked,
    setReachable: (value: boolean) => (reachable = value),
  };
}

describe('website: /healthz asks CouchDB at most once per moment', () => {
  it('shares one CouchDB request among requests at the same time, and reuses its answer briefly', async () => {
    const { health, asked } = healthWith(200);
    const reports = await Promise.all(Array.from({ length: 50 }, () => health.report()));
    expect(reports.every((report) => report.status === 'ok')).to.equal(true);
    expect(asked()).to.equal(1);
    await health.report();
    expect(asked(), 'within the reuse time').to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await health.report();
    expect(asked(), 'after it').to.equal(2);
  });

  it('says unavailable once the reused answer has expired and CouchDB stopped answering', async () => {
    const { health, asked, setReachable } = healthWith(50);
    expect((await health.report()).status).to.equal('ok');
    setReachable(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const report = await health.report();
    expect(report.status).to.equal('unavailable');
    expect(report.couchdb).to.include({ ok: false, error: 'database unreachable' });
    expect(asked()).to.equal(2);
  });
});
