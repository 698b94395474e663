/**
 * The words the generator builds real-looking names from
 * (docs/upstreams.md#names-and-prepids, #dataset-names-and-tiers): McM campaign chains,
 * data-taking eras, primary datasets, releases, RelVal samples.
 */

/** One McM campaign in a chain: the tier its kept output has, and how many tasks it runs. */
export interface McmStep {
  campaign: string;
  tier: string;
  /** Tasks this McM request contributes to the TaskChain (DR campaigns run DIGI then RECO). */
  tasks: number;
  /** The output module a later task reads from. */
  outputModule: string;
}

export interface McmCampaignChain {
  /** First year this chain is used (older chains appear in older documents). */
  since: number;
  energy: string;
  cmssw: string;
  processingString: string;
  steps: McmStep[];
}

/**
 * The chain most MC campaigns run, with premixed pile-up: wmLHEGS (GEN-SIM), DRPremix (DIGI
 * then RECO, two tasks), then MiniAOD and NanoAOD in the given versions.
 */
function premixChain(prefix: string, miniAod: string, nanoAod: string): McmStep[] {
  return [
    { campaign: `${prefix}wmLHEGS`, tier: 'GEN-SIM', tasks: 1, outputModule: 'RAWSIMoutput' },
    { campaign: `${prefix}DRPremix`, tier: 'AODSIM', tasks: 2, outputModule: 'AODSIMoutput' },
    {
      campaign: `${prefix}${miniAod}`,
      tier: 'MINIAODSIM',
      tasks: 1,
      outputModule: 'MINIAODSIMoutput',
    },
    {
      campaign: `${prefix}${nanoAod}`,
      tier: 'NANOAODSIM',
      tasks: 1,
      outputModule: 'NANOAODSIMoutput',
    },
  ];
}

export const MCM_CHAINS: readonly McmCampaignChain[] = [
  {
    since: 2018,
    energy: '13TeV',
    cmssw: 'CMSSW_9_4_7',
    processingString: '94X_mc2017_realistic_v14',
    steps: premixChain('RunIIFall17', 'MiniAODv2', 'NanoAODv7'),
  },
  {
    since: 2020,
    energy: '13TeV',
    cmssw: 'CMSSW_10_6_17_patch1',
    processingString: '106X_mc2017_realistic_v9',
    steps: [
      {
        campaign: 'RunIISummer20UL17wmLHEGEN',
        tier: 'GEN',
        tasks: 1,
        outputModule: 'RAWSIMoutput',
      },
      { campaign: 'RunIISummer20UL17SIM', tier: 'GEN-SIM', tasks: 1, outputModule: 'RAWSIMoutput' },
      {
        campaign: 'RunIISummer20UL17DIGIPremix',
        tier: 'GEN-SIM-DIGI',
        tasks: 1,
        outputModule: 'PREMIXRAWoutput',
      },
      {
        campaign: 'RunIISummer20UL17HLT',
        tier: 'GEN-SIM-RAW',
        tasks: 1,
        outputModule: 'RAWSIMoutput',
      },
      { campaign: 'RunIISummer20UL17RECO', tier: 'AODSIM', tasks: 1, outputModule: 'AODSIMoutput' },
      {
        campaign: 'RunIISummer20UL17MiniAODv2',
        tier: 'MINIAODSIM',
        tasks: 1,
        outputModule: 'MINIAODSIMoutput',
      },
      {
        campaign: 'RunIISummer20UL17NanoAODv9',
        tier: 'NANOAODSIM',
        tasks: 1,
        outputModule: 'NANOAODSIMoutput',
      },
    ],
  },
  {
    since: 2022,
    energy: '13p6TeV',
    cmssw: 'CMSSW_12_4_16',
    processingString: '124X_mcRun3_2022_realistic_postEE_v1',
    steps: premixChain('Run3Summer22EE', 'MiniAODv4', 'NanoAODv12'),
  },
  {
    since: 2023,
    energy: '13p6TeV',
    cmssw: 'CMSSW_13_0_17',
    processingString: '130X_mcRun3_2023_realistic_v14',
    steps: premixChain('Run3Summer23', 'MiniAODv4', 'NanoAODv12'),
  },
  {
    since: 2024,
    energy: '13p6TeV',
    cmssw: 'CMSSW_14_0_21',
    processingString: '140X_mcRun3_2024_realistic_v26',
    steps: premixChain('RunIII2024Summer24', 'MiniAODv6', 'NanoAODv15'),
  },
];

/** Legacy (pre-2019) single-step McM campaigns for `MonteCarlo` requests. */
export const LEGACY_MC_CAMPAIGNS = [
  'RunIISummer15GS',
  'RunIIWinter15wmLHE',
  'RunIISummer16GS',
  'RunIIFall17GS',
];
/** Campaigns of ReqMgr1-era `ReDigi` / `MonteCarloFromGEN` requests (nested OutputDatasets). */
export const LEGACY_REDIGI_CAMPAIGNS = [
  'RunIISpring15DR74',
  'RunIIFall15DR76',
  'RunIISpring16DR80',
];

export const PWGS = [
  'HIG',
  'EXO',
  'SUS',
  'TOP',
  'SMP',
  'BPH',
  'BTV',
  'JME',
  'EGM',
  'MUO',
  'TAU',
  'TSG',
  'B2G',
  'HIN',
  'GEN',
];

export const MC_PROCESSES = [
  'ZprimeToTT_M{m}',
  'GluGluHToZZTo4L_M{m}',
  'DYJetsToLL_M-{m}',
  'TTToSemiLeptonic_mtop{m}',
  'WprimeToMuNu_M-{m}',
  'VBFHToTauTau_M{m}',
  'SMS-T2tt_mStop-{m}',
  'QCD_Pt-{m}_MuEnrichedPt5',
  'BulkGravitonToHHTo4B_M-{m}',
  'WZTo3LNu_mllmin{m}',
  'RSGravitonToGammaGamma_kMpl01_M_{m}',
  'HSCPgluino_M-{m}',
  'ChargedHiggsToTauNu_M{m}',
  'TstarTstarToTgammaTgamma_M-{m}',
  'VectorZPrimeToQQ_M{m}',
  'LQToBMu_M-{m}',
  'BstarToTW_M-{m}',
  'GluGluToRadionToHHTo2B2Tau_M-{m}',
];
export const MC_TUNES = ['TuneCP5', 'TuneCP5Up', 'TuneCP5Down', 'TuneCP5_PSweights', 'TuneCP2'];
export const MC_GENERATORS = [
  'madgraph-pythia8',
  'powheg-pythia8',
  'pythia8',
  'amcatnloFXFX-pythia8',
  'madgraphMLM-pythia8',
  'JHUGenV752-pythia8',
];

export interface DataEra {
  era: string;
  year: number;
  firstRun: number;
  lastRun: number;
  cmssw: string;
  globalTag: string;
}

export const DATA_ERAS: readonly DataEra[] = [
  {
    era: 'Run2017F',
    year: 2017,
    firstRun: 305040,
    lastRun: 306460,
    cmssw: 'CMSSW_10_6_4',
    globalTag: '106X_dataRun2_v20',
  },
  {
    era: 'Run2018C',
    year: 2018,
    firstRun: 319337,
    lastRun: 320065,
    cmssw: 'CMSSW_10_6_8',
    globalTag: '106X_dataRun2_v28',
  },
  {
    era: 'Run2018D',
    year: 2018,
    firstRun: 320673,
    lastRun: 325175,
    cmssw: 'CMSSW_10_6_8',
    globalTag: '106X_dataRun2_v28',
  },
  {
    era: 'Run2022C',
    year: 2022,
    firstRun: 355862,
    lastRun: 357482,
    cmssw: 'CMSSW_12_4_11',
    globalTag: '124X_dataRun3_v15',
  },
  {
    era: 'Run2022F',
    year: 2022,
    firstRun: 360390,
    lastRun: 362167,
    cmssw: 'CMSSW_12_4_11',
    globalTag: '124X_dataRun3_v15',
  },
  {
    era: 'Run2023C',
    year: 2023,
    firstRun: 367080,
    lastRun: 369802,
    cmssw: 'CMSSW_13_0_13',
    globalTag: '130X_dataRun3_v2',
  },
  {
    era: 'Run2023D',
    year: 2023,
    firstRun: 369803,
    lastRun: 372415,
    cmssw: 'CMSSW_13_0_13',
    globalTag: '130X_dataRun3_v2',
  },
  {
    era: 'Run2024C',
    year: 2024,
    firstRun: 379415,
    lastRun: 380238,
    cmssw: 'CMSSW_14_0_15',
    globalTag: '140X_dataRun3_v9',
  },
  {
    era: 'Run2024F',
    year: 2024,
    firstRun: 382229,
    lastRun: 383779,
    cmssw: 'CMSSW_14_0_15',
    globalTag: '140X_dataRun3_v9',
  },
  {
    era: 'Run2024I',
    year: 2024,
    firstRun: 386409,
    lastRun: 386951,
    cmssw: 'CMSSW_14_0_19',
    globalTag: '140X_dataRun3_v17',
  },
];

/** Primary datasets of collision data, by LHC run (they were reorganised for Run 3). */
export const DATA_PRIMARY_DATASETS_RUN2 = [
  'SingleMuon',
  'DoubleMuon',
  'JetHT',
  'MET',
  'EGamma',
  'ZeroBias',
  'Tau',
  'BTagMu',
];
export const DATA_PRIMARY_DATASETS_RUN3 = [
  'JetMET0',
  'JetMET1',
  'Muon0',
  'Muon1',
  'EGamma0',
  'EGamma1',
  'ZeroBias',
  'Tau',
  'BTagMu',
  'DisplacedJet',
  'ParkingDoubleMuonLowMass0',
  'HLTPhysics',
];
export function primaryDatasetsOf(era: DataEra): readonly string[] {
  return era.year >= 2022 ? DATA_PRIMARY_DATASETS_RUN3 : DATA_PRIMARY_DATASETS_RUN2;
}

/** Purpose labels of reprocessing campaigns (processing strings are `<date>[_<label>]`). */
export const RERECO_LABELS = [
  'ECALRatio',
  'UL2017',
  'UL2018',
  'EcalRecovery',
  'ReRecoHCALPFA',
  'TrackerAlignment',
  'CTPPSRecovery',
  'JECv6',
  'HcalRespCorrs',
];
export const ALCARECO_SKIMS = [
  'EcalUncalWElectron',
  'TkAlMuonIsolated',
  'HcalCalIsoTrkProducerFilter',
  'SiStripCalMinBias',
  'MuAlCalIsolatedMu',
];

export const RELVAL_MC_SAMPLES = [
  'TTbar_14TeV',
  'ZMM_14',
  'ZEE_14',
  'SingleMuPt10',
  'SingleMuPt100',
  'SingleElectronPt35',
  'QCD_FlatPt_15_3000HS_14',
  'H125GGgluonfusion_14',
  'ZTT_14',
  'MinBias_14TeV',
  'TenTau_15_500',
  'DisplacedSUSY_14TeV',
  'NuGun',
  'SinglePiPt25Eta1p7_2p7',
];
export const RELVAL_BATCHES = [
  'fullsim_PU_2024',
  'fullsim_noPU_2024',
  'data_reHLT_2018',
  'fullsim_PU_2025_Phase2',
];

/** Data tiers Stats2 does not know: they must sort before all the known ones. */
export const UNKNOWN_TIERS = ['FEVTSIM', 'RAWMINIAOD', 'L1SCOUT'];

export const VALIDATION_REQUESTORS = ['amaltaro', 'kmaeshima', 'todor', 'cmsdataops'];
export const SITES = [
  'T1_US_FNAL',
  'T1_DE_KIT',
  'T1_IT_CNAF',
  'T2_CH_CERN',
  'T1_FR_CCIN2P3',
  'T2_US_Wisconsin',
  'T2_DE_DESY',
  'T1_UK_RAL',
];

export const DN_PDMV =
  '/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=pdmvserv/CN=000000/CN=Robot: PdmV Service';
export const DN_UNIFIED =
  '/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=cmsunified/CN=000001/CN=Robot: CMS Comp Ops Unified';
export const DN_WMAGENT = '/DC=ch/DC=cern/OU=computers/CN=wmagent/vocms0255.cern.ch';
