/**
 * ReqMgr2 request documents shaped like the real ones
 * (docs/upstreams.md#reqmgr2-request-documents, #tasks-and-steps), trimmed to what Stats2
 * reads plus a few fields it ignores. Each call returns a fresh copy to modify.
 */

const DN = '/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=pdmvserv/CN=000000/CN=Robot: PdmV Service';

export const RERECO_NAME = 'pdmvserv_Run2024F_JetMET0_ECALRatio_240902_101512_4417';

export function reRecoDocument(): Record<string, unknown> {
  return {
    _id: RERECO_NAME,
    _rev: '14-3f0c9d2b7a8e4c1d9b6a5e4f3d2c1b0a',
    _attachments: {
      spec: { content_type: 'application/json', revpos: 2, length: 48211, stub: true },
    },
    RequestName: RERECO_NAME,
    RequestType: 'ReReco',
    RequestStatus: 'running-open',
    PrepID: 'ReReco-Run2024F-JetMET0-ECALRatio-00002',
    Campaign: 'Run2024F',
    AcquisitionEra: 'Run2024F',
    ProcessingString: 'ECALRatio',
    ProcessingVersion: 1,
    CMSSWVersion: 'CMSSW_14_0_15',
    InputDataset: '/JetMET0/Run2024F-v1/RAW',
    OutputDatasets: [
      '/JetMET0/Run2024F-ECALRatio-v1/AOD',
      '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD',
      '/JetMET0/Run2024F-ECALRatio-v1/DQMIO',
    ],
    LumiList: {
      '382229': [
        [1, 180],
        [190, 412],
      ],
      '382250': [[5, 97]],
    },
    RequestPriority: 110000,
    SizePerEvent: 1.5,
    TimePerEvent: 10.0,
    TotalInputEvents: 1204318,
    TotalInputLumis: 496,
    TotalInputFiles: 61,
    TotalEstimatedJobs: 125,
    GlobalTag: '140X_dataRun3_Prompt_v4',
    RequestTransition: [
      { Status: 'new', DN, UpdateTime: 1725264912 },
      { Status: 'assignment-approved', DN: null, UpdateTime: 1725264930 },
      { Status: 'assigned', DN: 'unknown', UpdateTime: 1725266101 },
      { Status: 'running-open', DN: '', UpdateTime: 1725268202 },
    ],
  };
}

export const TASKCHAIN_NAME = 'pdmvserv_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240115_093012_905';
export const GEN_SIM =
  '/ZprimeToTT_M2000_TuneCP5_13p6TeV-madgraph-pythia8/Run3Summer23wmLHEGS-130X_mcRun3_2023_realistic_v14-v2/GEN-SIM';
export const AODSIM =
  '/ZprimeToTT_M2000_TuneCP5_13p6TeV-madgraph-pythia8/Run3Summer23DRPremix-130X_mcRun3_2023_realistic_v14-v2/AODSIM';

/** McM TaskChain, MC from scratch, three tasks. */
export function mcmTaskChainDocument(): Record<string, unknown> {
  return {
    _id: TASKCHAIN_NAME,
    RequestName: TASKCHAIN_NAME,
    RequestType: 'TaskChain',
    TaskChain: 3,
    SubRequestType: 'MC',
    PrepID: 'task_EXO-Run3Summer23wmLHEGS-01234',
    Campaign: 'Run3Summer23wmLHEGS',
    AcquisitionEra: {
      'EXO-Run3Summer23wmLHEGS-01234_0': 'Run3Summer23wmLHEGS',
      'EXO-Run3Summer23DRPremix-00456_0': 'Run3Summer23DRPremix',
      'EXO-Run3Summer23DRPremix-00456_1': 'Run3Summer23DRPremix',
    },
    ProcessingString: {
      'EXO-Run3Summer23wmLHEGS-01234_0': '130X_mcRun3_2023_realistic_v14',
      'EXO-Run3Summer23DRPremix-00456_0': '130X_mcRun3_2023_realistic_v14',
      'EXO-Run3Summer23DRPremix-00456_1': '130X_mcRun3_2023_realistic_v14',
    },
    CMSSWVersion: 'CMSSW_13_0_17',
    OutputDatasets: [AODSIM, GEN_SIM],
    RequestPriority: 85000,
    LumiList: {},
    TotalInputEvents: 250000,
    TotalInputLumis: 1250,
    TotalInputFiles: 0,
    Task1: {
      TaskName: 'EXO-Run3Summer23wmLHEGS-01234_0',
      PrepID: 'EXO-Run3Summer23wmLHEGS-01234',
      Campaign: 'Run3Summer23wmLHEGS',
      AcquisitionEra: 'Run3Summer23wmLHEGS',
      ProcessingString: '130X_mcRun3_2023_realistic_v14',
      FilterEfficiency: 0.4,
      RequestNumEvents: 100000,
      EventsPerLumi: 500,
      SplittingAlgo: 'EventBased',
      PrimaryDataset: 'ZprimeToTT_M2000_TuneCP5_13p6TeV-madgraph-pythia8',
    },
    Task2: {
      TaskName: 'EXO-Run3Summer23DRPremix-00456_0',
      PrepID: 'EXO-Run3Summer23DRPremix-00456',
      Campaign: 'Run3Summer23DRPremix',
      AcquisitionEra: 'Run3Summer23DRPremix',
      InputTask: 'EXO-Run3Summer23wmLHEGS-01234_0',
      InputFromOutputModule: 'RAWSIMoutput',
      FilterEfficiency: 1.0,
      KeepOutput: false,
    },
    Task3: {
      TaskName: 'EXO-Run3Summer23DRPremix-00456_1',
      PrepID: 'EXO-Run3Summer23DRPremix-00456',
      Campaign: 'Run3Summer23DRPremix',
      AcquisitionEra: 'Run3Summer23DRPremix',
      InputTask: 'EXO-Run3Summer23DRPremix-00456_0',
      InputFromOutputModule: 'PREMIXRAWoutput',
      FilterEfficiency: 1.0,
    },
    RequestTransition: [{ Status: 'new', DN: '', UpdateTime: 1705307412 }],
  };
}

export const ACDC0_NAME =
  'cmsunified_ACDC0_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240203_114455_67';
export const ACDC1_NAME =
  'cmsunified_ACDC1_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240210_081502_3310';

/** The first ACDC of the McM TaskChain: clones its PrepID and its Task dicts. */
export function resubmissionDocument(): Record<string, unknown> {
  const original = mcmTaskChainDocument();
  return {
    _id: ACDC0_NAME,
    RequestName: ACDC0_NAME,
    RequestType: 'Resubmission',
    OriginalRequestType: 'TaskChain',
    OriginalRequestName: TASKCHAIN_NAME,
    InitialTaskPath: `/${TASKCHAIN_NAME}/EXO-Run3Summer23wmLHEGS-01234_0`,
    PrepID: 'task_EXO-Run3Summer23wmLHEGS-01234',
    AcquisitionEra: original.AcquisitionEra,
    ProcessingString: original.ProcessingString,
    OutputDatasets: [GEN_SIM],
    RequestPriority: 85000,
    TaskChain: 3,
    Task1: original.Task1,
    Task2: original.Task2,
    Task3: original.Task3,
    ResubmissionCount: 1,
    ACDCServer: 'https://cmsweb.cern.ch/couchdb',
    ACDCDatabase: 'acdcserver',
    RequestTransition: [{ Status: 'new', DN: DN, UpdateTime: 1706957095 }],
  };
}
