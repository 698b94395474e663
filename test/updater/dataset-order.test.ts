import { expect } from 'chai';
import {
  TIER_PRIORITY,
  flattenDatasets,
  sortDatasetsByTier,
  tierRank,
} from '../../updater/dataset-order.js';

describe('dataset order', () => {
  it('flattens lists nested to any depth, keeping their order', () => {
    expect(
      flattenDatasets([
        ['/SingleElectron/Run2017F-09Aug2019_UL2017_EcalRecovery-v1/RECO'],
        [['/SingleElectron/Run2017F-EcalUncalWElectron-09Aug2019_UL2017_EcalRecovery-v1/ALCARECO']],
        '/SingleElectron/Run2017F-09Aug2019_UL2017_EcalRecovery-v1/MINIAOD',
      ]),
    ).to.deep.equal([
      '/SingleElectron/Run2017F-09Aug2019_UL2017_EcalRecovery-v1/RECO',
      '/SingleElectron/Run2017F-EcalUncalWElectron-09Aug2019_UL2017_EcalRecovery-v1/ALCARECO',
      '/SingleElectron/Run2017F-09Aug2019_UL2017_EcalRecovery-v1/MINIAOD',
    ]);
    expect(flattenDatasets([])).to.deep.equal([]);
  });

  it('holds the 55 tiers of docs/workflow-document.md#output-datasets-and-their-order, each once, USER first and NANOAODSIM last', () => {
    expect(TIER_PRIORITY).to.have.length(55);
    expect(new Set(TIER_PRIORITY).size).to.equal(55);
    expect(TIER_PRIORITY[0]).to.equal('USER');
    expect(TIER_PRIORITY.at(-1)).to.equal('NANOAODSIM');
    expect(tierRank('/JetMET0/Run2024F-ECALRatio-v1/DQMIO')).to.equal(7);
    expect(tierRank('/JetMET0/Run2024F-ECALRatio-v1/AOD')).to.equal(49);
  });

  it('sorts by tier priority, as a ReReco with ALCARECO skims is shown', () => {
    const sorted = sortDatasetsByTier([
      '/JetMET0/Run2024F-ECALRatio-v1/NANOAOD',
      '/JetMET0/Run2024F-ECALRatio-v1/AOD',
      '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD',
      '/JetMET0/Run2024F-ECALRatio-v1/DQMIO',
      '/JetMET0/Run2024F-EcalESAlign-ECALRatio-v1/ALCARECO',
      '/JetMET0/Run2024F-ECALRatio-v1/RAW-RECO',
    ]);
    expect(sorted).to.deep.equal([
      '/JetMET0/Run2024F-EcalESAlign-ECALRatio-v1/ALCARECO',
      '/JetMET0/Run2024F-ECALRatio-v1/DQMIO',
      '/JetMET0/Run2024F-ECALRatio-v1/RAW-RECO',
      '/JetMET0/Run2024F-ECALRatio-v1/AOD',
      '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD',
      '/JetMET0/Run2024F-ECALRatio-v1/NANOAOD',
    ]);
  });

  it('puts unknown tiers first, keeping the order of equal tiers', () => {
    const input = [
      '/ZeroBias/Run2024F-PromptReco-v1/AOD',
      '/ZeroBias/Run2024F-PromptReco-v1/L1SCOUT',
      '/ZeroBias/Run2024F-LogError-PromptReco-v1/RAW-RECO',
      '/ZeroBias/Run2024F-PromptReco-v1/aod',
      '/ZeroBias/Run2024F-SiStripCalZeroBias-PromptReco-v1/ALCARECO',
      '/ZeroBias/Run2024F-TkAlMinBias-PromptReco-v1/ALCARECO',
    ];
    expect(sortDatasetsByTier(input)).to.deep.equal([
      '/ZeroBias/Run2024F-PromptReco-v1/L1SCOUT',
      '/ZeroBias/Run2024F-PromptReco-v1/aod',
      '/ZeroBias/Run2024F-SiStripCalZeroBias-PromptReco-v1/ALCARECO',
      '/ZeroBias/Run2024F-TkAlMinBias-PromptReco-v1/ALCARECO',
      '/ZeroBias/Run2024F-LogError-PromptReco-v1/RAW-RECO',
      '/ZeroBias/Run2024F-PromptReco-v1/AOD',
    ]);
    expect(input[0]).to.equal('/ZeroBias/Run2024F-PromptReco-v1/AOD'); // not sorted in place
  });
});
