/**
 * The rest of step 3 runs beside the feed's last page with the page's upstream answers:
 * a DBS question both ask goes out once. Counted on the upstream's calls, so that a run
 * that stops sharing (and silently doubles its calls) fails here.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import { SettingsRepository } from '../../couch/settings.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { runUpdate, type UpdateDependencies } from '../../updater/run.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { setUpTestDatabases } from '../support/couch.js';
import {
  ACDC0_NAME,
  AODSIM,
  GEN_SIM,
  mcmTaskChainDocument,
  resubmissionDocument,
  TASKCHAIN_NAME,
} from './fixtures.js';

describe('the update run: the last page and the rest of step 3 share upstream answers', function () {
  this.timeout(60_000);

  it('asks DBS once per question when the last page and step 3 both recalculate a workflow', async () => {
    const { couch, names } = await setUpTestDatabases('shared');
    const upstream = new FakeUpstream();
    const workflows = new WorkflowRepository(couch.server, names.requests);
    const deps: UpdateDependencies = {
      workflows,
      settings: new SettingsRepository(couch.server, names.settings),
      upstream,
      logger: pino({ level: 'silent' }),
    };
    let clock = 1_800_000_000;
    const now = () => clock;
    upstream.put(mcmTaskChainDocument());
    upstream.put(resubmissionDocument());
    upstream.setDataset(GEN_SIM, { access: 'VALID', events: 250000, size: 9e9, lumis: 100 });
    upstream.setDataset(AODSIM, { access: 'PRODUCTION', events: 12000, size: 7e8, lumis: 30 });
    await runUpdate(deps, { now });

    // The feed's only page holds the ACDC, whose GEN-SIM the TaskChain also outputs; WMStats
    // lists the TaskChain as active, so step 3 recalculates it beside the page too.
    clock += 3600;
    upstream.put({ ...resubmissionDocument(), RequestPriority: 90000 });
    upstream.active = [TASKCHAIN_NAME];
    upstream.setDataset(GEN_SIM, { events: 260000 });
    upstream.setDataset(AODSIM, { events: 13000 });
    upstream.calls.length = 0;
    const summary = await runUpdate(deps, { now });

    expect(summary.failed).to.deep.equal([]);
    expect(summary.changed).to.equal(1);
    // The ACDC, the TaskChain as its sibling, and the TaskChain again as step-3 work.
    expect(summary.recalculated).to.equal(3);
    expect((await workflows.get(TASKCHAIN_NAME))?.EventNumberHistory).to.have.length(2);
    expect((await workflows.get(ACDC0_NAME))?.EventNumberHistory).to.have.length(2);
    // One call per dataset (the fake logs each as `fileSummaries:<dataset>:<validFileOnly>`).
    const summaries = upstream.calls
      .filter((call) => /^fileSummaries:.*:(true|false)$/.test(call))
      .sort();
    expect(summaries).to.deep.equal([
      `fileSummaries:${AODSIM}:true`,
      `fileSummaries:${GEN_SIM}:true`,
    ]);
  });
});
