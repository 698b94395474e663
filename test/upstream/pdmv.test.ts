/**
 * PdmV notifications (routing itself: test/updater/callback-route.test.ts): the no-PrepID skip, CERN SSO tokens (one per
 * audience, renewed after 75 % of expires_in) and what the services record.
 */
import { expect } from 'chai';
import { ConfigError } from '../../lib/errors.js';
import type { Simulator } from '../../sim/index.js';
import { createLogger } from '../../lib/logger.js';
import {
  createCallbackNotifier,
  UpstreamError,
  type NotifiableWorkflow,
} from '../../updater/upstream/index.js';
import { startTestSimulator } from '../sim/support.js';
import { clientFor, type TestClient } from './support.js';

function workflowOf(
  sim: Simulator,
  predicate: (doc: Record<string, unknown>) => boolean,
): NotifiableWorkflow {
  for (const summary of sim.world.list()) {
    const doc = sim.world.request(summary.name);
    if (doc !== undefined && predicate(doc)) {
      return {
        RequestName: doc._id,
        RequestType: doc.RequestType as string,
        PrepID: doc.PrepID as string | null,
      };
    }
  }
  throw new Error('no such workflow in the simulated world');
}

describe('upstream PdmV notifier', () => {
  let sim: Simulator;
  let client: TestClient;

  before(async () => {
    sim = await startTestSimulator({ seed: 5, workflows: 600, active: 60 });
    client = clientFor(sim);
  });
  after(async () => {
    await client.upstream.close();
    await sim.close();
  });

  it('POSTs {prepid} to ReReco with a prod token, and records the call', async () => {
    const workflow = workflowOf(sim, (doc) => doc.RequestType === 'ReReco');
    const result = await client.upstream.pdmv.notify(workflow, 'prod');
    expect(result).to.deep.include({
      status: 'sent',
      route: 'rereco',
      target: 'prod',
      httpStatus: 200,
    });
    expect(result)
      .to.have.nested.property('response.workflows')
      .that.includes(workflow.RequestName);
    expect(sim.callbacks.at(-1)).to.deep.include({
      service: 'rereco',
      env: 'prod',
      method: 'POST',
      path: '/rereco/api/requests/update_workflows',
      body: { prepid: workflow.PrepID },
      audience: 'cms-pdmv-prod',
      status: 200,
    });
  });

  it('POSTs RelVals to the dev deployment with a dev token', async () => {
    const workflow = workflowOf(sim, (doc) => String(doc._id).includes('RVCMSSW'));
    await client.upstream.pdmv.notify(workflow, 'dev');
    expect(sim.callbacks.at(-1)).to.deep.include({
      service: 'relval',
      env: 'dev',
      method: 'POST',
      path: '/relval/api/relvals/update_workflows',
      body: { prepid: workflow.PrepID },
      audience: 'cms-pdmv-dev',
      status: 200,
    });
  });

  it('GETs McM fetch_stats_by_wf by name, PrepID or not', async () => {
    const mcm = workflowOf(
      sim,
      (doc) => doc.RequestType === 'TaskChain' && String(doc.PrepID).startsWith('task_'),
    );
    const result = await client.upstream.pdmv.notify(mcm, 'prod');
    expect(result).to.deep.include({ status: 'sent', route: 'mcm' });
    expect(sim.callbacks.at(-1)).to.deep.include({
      service: 'mcm',
      method: 'GET',
      path: `/mcm/restapi/requests/fetch_stats_by_wf/${mcm.RequestName}`,
      body: null,
      audience: 'cms-pdmv-prod',
    });
    const anonymous = workflowOf(
      sim,
      (doc) => doc.PrepID === null && !String(doc._id).includes('RVCMSSW'),
    );
    expect(await client.upstream.pdmv.notify(anonymous, 'prod')).to.deep.include({
      status: 'sent',
      route: 'mcm',
    });
  });

  it('skips ReReco and RelVal workflows without a PrepID, without calling anyone', async () => {
    const calls = sim.callbacks.length;
    const tokens = sim.counts.token ?? 0;
    for (const workflow of [
      { RequestName: 'x_ReReco_250101_000000_1', RequestType: 'ReReco', PrepID: null },
      { RequestName: 'x_RVCMSSW_14_0_0X__y_250101_000000_1', RequestType: 'TaskChain' },
    ]) {
      const result = await client.upstream.pdmv.notify(workflow, 'prod');
      expect(result.status).to.equal('skipped');
    }
    expect(sim.callbacks.length).to.equal(calls);
    expect(sim.counts.token ?? 0).to.equal(tokens);
  });

  it('asks SSO once per audience and reuses the token', async () => {
    const fresh = clientFor(sim);
    try {
      const before = sim.counts.token ?? 0;
      const workflow = workflowOf(sim, (doc) => doc.RequestType === 'ReReco');
      await Promise.all([
        fresh.upstream.pdmv.notify(workflow, 'prod'),
        fresh.upstream.pdmv.notify(workflow, 'prod'),
      ]);
      await fresh.upstream.pdmv.notify(workflow, 'prod');
      expect(sim.counts.token).to.equal(before + 1);
      await fresh.upstream.pdmv.notify(workflow, 'dev');
      expect(sim.counts.token).to.equal(before + 2);
    } finally {
      await fresh.upstream.close();
    }
  });

  it('fetches a new token once 75 % of expires_in has passed', async () => {
    const shortLived = await startTestSimulator({
      seed: 5,
      workflows: 50,
      active: 5,
      // SSO's exp is whole seconds (iat floored), so a token may live up to 1 s less
      // than expires_in says: 4 s keeps the token valid until the 3 s renewal point.
      tokenLifetimeSeconds: 4,
    });
    const fresh = clientFor(shortLived);
    try {
      const workflow = workflowOf(shortLived, (doc) => typeof doc.PrepID === 'string');
      await fresh.upstream.pdmv.notify(workflow, 'prod');
      const firstDone = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await fresh.upstream.pdmv.notify(workflow, 'prod');
      expect(shortLived.counts.token).to.equal(1);
      const renewalDue = firstDone + 3000 + 50 - Date.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, renewalDue)));
      await fresh.upstream.pdmv.notify(workflow, 'prod');
      expect(shortLived.counts.token).to.equal(2);
    } finally {
      await fresh.upstream.close();
      await shortLived.close();
    }
  });

  it('drops a token the service refuses, and fetches another next time', async () => {
    const workflow = workflowOf(sim, (doc) => doc.RequestType === 'ReReco');
    await client.upstream.pdmv.notify(workflow, 'prod');
    const tokens = sim.counts.token ?? 0;
    sim.faults.set('rereco', { unauthorized: 1, times: 1 });
    const refused = await client.upstream.pdmv.notify(workflow, 'prod').catch((e: unknown) => e);
    expect(refused)
      .to.be.instanceOf(UpstreamError)
      .and.include({ code: 'UPSTREAM_HTTP', status: 401 });
    await client.upstream.pdmv.notify(workflow, 'prod');
    expect(sim.counts.token).to.equal(tokens + 1);
  });

  it('reports a PrepID the service does not know as a typed error', async () => {
    const err = await client.upstream.pdmv
      .notify(
        { RequestName: 'x', RequestType: 'ReReco', PrepID: 'ReReco-Nothing-Here-00009' },
        'prod',
      )
      .catch((e: unknown) => e);
    expect(err)
      .to.be.instanceOf(UpstreamError)
      .and.include({ code: 'UPSTREAM_HTTP', status: 404, endpoint: 'pdmv.rereco' });
  });

  it('reports bad client credentials without leaking them, and needs the callback settings', async () => {
    const secret = 'definitely-wrong-secret';
    const wrong = clientFor(sim, { env: { CALLBACK_CLIENT_SECRET: secret } });
    try {
      const err = await wrong.upstream.pdmv
        .notify({ RequestName: 'x', RequestType: 'ReReco', PrepID: 'ReReco-A-00001' }, 'prod')
        .catch((e: unknown) => e);
      expect(err)
        .to.be.instanceOf(UpstreamError)
        .and.include({ code: 'UPSTREAM_HTTP', status: 401 });
      expect((err as Error).message).to.include('invalid_client');
      expect(JSON.stringify(err)).to.not.include(secret);
      expect(wrong.logs.join('\n')).to.not.include(secret);
    } finally {
      await wrong.upstream.close();
    }
    const unconfigured = clientFor(sim, { env: { CALLBACK_CLIENT_ID: undefined } });
    try {
      const err = await unconfigured.upstream.pdmv
        .notify({ RequestName: 'x' }, 'prod')
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.include('CALLBACK_CLIENT_ID');
    } finally {
      await unconfigured.upstream.close();
    }
  });

  it("answers the update run's notifier port with sent / not sent", async () => {
    const notifier = createCallbackNotifier(client.config, createLogger({ level: 'silent' }));
    try {
      const workflow = workflowOf(sim, (doc) => doc.RequestType === 'ReReco');
      expect(
        await notifier.notify(
          { _id: workflow.RequestName, RequestType: workflow.RequestType, PrepID: workflow.PrepID },
          'dev',
        ),
      ).to.deep.equal({ sent: true });
      const skipped = await notifier.notify(
        { _id: 'x_ReReco_250101_000000_1', RequestType: 'ReReco', PrepID: null },
        'dev',
      );
      expect(skipped.sent).to.equal(false);
      expect(skipped.reason).to.include('PrepID');
    } finally {
      await notifier.close();
    }
  });

  it('never logs tokens or the client secret', () => {
    const text = client.logs.join('\n');
    expect(text).to.not.include(sim.env.CALLBACK_CLIENT_SECRET as string);
    expect(text).to.not.match(/eyJ[A-Za-z0-9_-]{10,}/);
  });
});
