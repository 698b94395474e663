import { expect } from 'chai';
import { callbackRoute } from '../../updater/callback-route.js';

describe('callbackRoute', () => {
  it('routes a ReReco by its type, in any case, to the ReReco machine with its PrepID', () => {
    expect(
      callbackRoute({
        _id: 'pdmvserv_Run2024F_JetMET0_ECALRatio_240902_101512_4417',
        RequestType: 'rereco',
        PrepID: 'ReReco-Run2024F-JetMET0-ECALRatio-00002',
      }),
    ).to.deep.equal({
      service: 'rereco',
      skipped: false,
      method: 'POST',
      path: '/rereco/api/requests/update_workflows',
      body: { prepid: 'ReReco-Run2024F-JetMET0-ECALRatio-00002' },
    });
  });

  it('routes a ReReco TaskChain by its PrepID, before checking for a RelVal name', () => {
    const route = callbackRoute({
      _id: 'pdmvserv_RVCMSSW_Run2024F_JetMET0_multi_240902_101512_4418',
      RequestType: 'TaskChain',
      PrepID: 'ReReco-Run2024F-JetMET0-ECALRatio-00003',
    });
    expect(route).to.include({ service: 'rereco', skipped: false });
  });

  it('routes a workflow named …RVCMSSW… to the RelVal machine', () => {
    expect(
      callbackRoute({
        _id: 'pdmvserv_RVCMSSW_14_0_0RunJetMET2024B__RelVal_2024B_240301_101010_1234',
        RequestType: 'TaskChain',
        PrepID: 'CMSSW_14_0_0__RelVal_2024B-RunJetMET2024B-00001',
      }),
    ).to.deep.equal({
      service: 'relval',
      skipped: false,
      method: 'POST',
      path: '/relval/api/relvals/update_workflows',
      body: { prepid: 'CMSSW_14_0_0__RelVal_2024B-RunJetMET2024B-00001' },
    });
  });

  it('routes anything else to McM by workflow name, which needs no PrepID', () => {
    const name = 'pdmvserv_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240115_093012_905';
    const expected = {
      service: 'mcm',
      skipped: false,
      method: 'GET',
      path: `/mcm/restapi/requests/fetch_stats_by_wf/${name}`,
    };
    expect(
      callbackRoute({
        _id: name,
        RequestType: 'TaskChain',
        PrepID: 'task_EXO-Run3Summer23wmLHEGS-01234',
      }),
    ).to.deep.equal(expected);
    expect(callbackRoute({ _id: name, RequestType: 'TaskChain' })).to.deep.equal(expected);
  });

  it('skips the ReReco and RelVal routes when there is no PrepID (missing, null or empty)', () => {
    const rereco = callbackRoute({
      _id: 'someuser_ReReco_Test_240116_101010_42',
      RequestType: 'ReReco',
      PrepID: null,
    });
    expect(rereco).to.deep.equal({
      service: 'rereco',
      skipped: true,
      reason:
        'someuser_ReReco_Test_240116_101010_42 has no PrepID to notify the rereco service with',
    });
    const relval = callbackRoute({
      _id: 'pdmvserv_RVCMSSW_14_0_0ZMM_14__RelVal_240301_101010_77',
      PrepID: '',
    });
    expect(relval).to.include({ service: 'relval', skipped: true });
  });
});
