/** `/healthz`'s CouchDB probe: shared by requests at the same time, reused for a moment. */
import { expect } from 'chai';
import { connect } from '../../../couch/connection.js';
import { openRepositories } from '../../../couch/open-databases.js';
import { createLogger } from '../../../lib/logger.js';
import { HealthCheck } from '../../../server/http/health.js';
import type { WorkflowIndex } from '../../../server/read-model/workflow-index.js';
import { setUpTestDatabases } from '../../support/couch.js';

/**
 * A health check over the test CouchDB, counting the questions it asks there; while
 * `setReachable(false)`, they go to a port where nothing listens.
 */
async function healthWith(probeReuseMs: number) {
  const { couch, names } = await setUpTestDatabases('health');
  const { workflows } = openRepositories(couch.admin, names);
  const nowhere = connect({ url: 'http://127.0.0.1:1' }).use(names.requests);
  const real = workflows.db.info.bind(workflows.db);
  let asked = 0;
  let reachable = true;
  workflows.db.info = (() => {
    asked++;
    return reachable ? real() : nowhere.info();
  }) as typeof workflows.db.info;
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

describe('website: /healthz asks CouchDB at most once per moment', function () {
  this.timeout(30_000);

  it('shares one CouchDB request among requests at the same time, and reuses its answer briefly', async () => {
    const { health, asked } = await healthWith(200);
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
    const { health, asked, setReachable } = await healthWith(50);
    expect((await health.report()).status).to.equal('ok');
    setReachable(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const report = await health.report();
    expect(report.status).to.equal('unavailable');
    expect(report.couchdb).to.include({ ok: false, error: 'database unreachable' });
    expect(asked()).to.equal(2);
  });
});
