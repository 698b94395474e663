import { expect } from 'chai';
import { notifiedServiceOf, prepidServiceOf } from '../../workflow/pdmv-service.js';

describe('PdmV service of a workflow', () => {
  it('tells the service a PrepID links to by its form alone', () => {
    expect(prepidServiceOf('ReReco-Run2024F-JetMET0-ECALRatio-00002')).to.equal('rereco');
    expect(prepidServiceOf('CMSSW_14_0_0__STD_2024_PU-TTbar_14TeV-00003')).to.equal('relval');
    expect(prepidServiceOf('task_HIG-RunIISummer20UL18wmLHEGEN-00123')).to.equal('mcm');
    expect(prepidServiceOf('HIG-RunIISummer20UL18wmLHEGEN-00123')).to.equal('mcm');
    expect(prepidServiceOf('free text')).to.equal(undefined);
    expect(prepidServiceOf('HIG-x-123')).to.equal(undefined);
    expect(prepidServiceOf(undefined)).to.equal(undefined);
  });

  it('notifies ReReco by type (any case) or PrepID prefix, then RelVal by name, else McM', () => {
    const name = 'pdmvserv_RVCMSSW_14_0_0_TTbar_240101_000000_0001';
    expect(notifiedServiceOf({ _id: 'wf', RequestType: 'RERECO' })).to.equal('rereco');
    expect(notifiedServiceOf({ _id: name, PrepID: 'ReReco-Run2024F-x-00001' })).to.equal('rereco');
    expect(notifiedServiceOf({ _id: name, PrepID: 'CMSSW_14_0_0__STD-TTbar-00003' })).to.equal(
      'relval',
    );
    expect(notifiedServiceOf({ _id: 'wf', PrepID: null })).to.equal('mcm');
  });

  it('can name two services for one workflow: the two rules answer different questions', () => {
    const workflow = { _id: 'wf', RequestType: 'ReReco', PrepID: 'HIG-RunIISummer20UL18-00001' };
    expect(notifiedServiceOf(workflow)).to.equal('rereco');
    expect(prepidServiceOf(workflow.PrepID)).to.equal('mcm');
    // A RelVal-form PrepID on a workflow whose name lacks RVCMSSW is notified through McM.
    expect(notifiedServiceOf({ _id: 'wf', PrepID: 'CMSSW_14_0_0__STD-TTbar-00003' })).to.equal(
      'mcm',
    );
  });
});
