/**
 * Stored workflow documents of every kind the website meets, as the updater (or an older
 * Stats2) writes them: chained requests, ReReco in lumis mode, Resubmission, RelVal, and
 * documents with missing, null or wrongly typed fields.
 */
import type { StoredWorkflow } from '../../workflow/documents.js';

/**
 * The fixtures' "now", in Unix seconds: set again by each fixtureWorkflows() call (a live
 * binding), so that a test building its site from them reads minute-level "ago" texts
 * exactly, however long the suite ran before it.
 */
export let NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;

export const TASKCHAIN =
  'pdmvserv_task_HIG-RunIISummer20UL18wmLHEGEN-00123__v1_T_240115_093012_1234';
export const STEPCHAIN = 'cmsunified_task_EGM-Run3Summer22EEGS-00042__v1_T_231201_120000_5678';
export const RERECO = 'pdmvserv_Run2024F_JetMET0_ECALRatio_240902_101512_4417';
export const RESUBMISSION = 'pdmvserv_ACDC0_Run2024F_JetMET0_ECALRatio_240910_080000_1111';
export const RELVAL = 'pdmvserv_RVCMSSW_14_0_0TTbar_14TeV__STD_2024_PU_240301_140000_9999';
export const NO_PREPID = 'someone_NoPrepID_Test_230101_000000_0001';
export const OLD_NULLS = 'old_stats2_document_200101_000000_0007';
export const WRONG_TYPES = 'broken_types_210101_000000_0008';
export const HOSTILE = 'xss_<script>alert(1)</script>_"quote\'_220101_000000_0009';
export const HISTORY_ONLY = 'history_only_datasets_190101_000000_0010';
export const CASCADE = 'cascade_checker_250101_000000_0011';

export const TASKCHAIN_PREPID = 'task_HIG-RunIISummer20UL18wmLHEGEN-00123';
export const TASKCHAIN_DATASETS = [
  '/GluGluHToZZTo4L_M125_TuneCP5_13TeV/RunIISummer20UL18wmLHEGEN-106X_upgrade2018_realistic_v4-v1/GEN',
  '/GluGluHToZZTo4L_M125_TuneCP5_13TeV/RunIISummer20UL18SIM-106X_upgrade2018_realistic_v11_L1v1-v1/GEN-SIM',
  '/GluGluHToZZTo4L_M125_TuneCP5_13TeV/RunIISummer20UL18SIM-106X_upgrade2018_realistic_v11_L1v1-v1/DQMIO',
];
export const TASKCHAIN_PROCESSING_STRING = '106X_upgrade2018_realistic_v11_L1v1';
export const RERECO_PREPID = 'ReReco-Run2024F-JetMET0-ECALRatio-00002';
export const RERECO_INPUT = '/JetMET0/Run2024F-v1/RAW';
export const RERECO_DATASETS = [
  '/JetMET0/Run2024F-ECALRatio-v1/AOD',
  '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD',
  '/JetMET0/Run2024F-ECALRatio-v1/DQMIO',
];
export const RELVAL_PREPID = 'CMSSW_14_0_0__STD_2024_PU-TTbar_14TeV-00003';
export const RELVAL_CAMPAIGN = 'CMSSW_14_0_0__STD_2024_PU-1709300000';
export const RELVAL_DATASETS = [
  '/RelValTTbar_14TeV/CMSSW_14_0_0-140X_mcRun3_2024_realistic_v3_STD_2024_PU-v1/GEN-SIM-RECO',
  '/RelValTTbar_14TeV/CMSSW_14_0_0-140X_mcRun3_2024_realistic_v3_STD_2024_PU-v1/DQMIO',
];

const transitions = (...steps: Array<[string, number]>) =>
  steps.map(([Status, UpdateTime]) => ({ Status, UpdateTime }));

export function fixtureWorkflows(): StoredWorkflow[] {
  NOW = Math.floor(Date.now() / 1000);
  return [
    {
      _id: TASKCHAIN,
      RequestName: TASKCHAIN,
      RequestType: 'TaskChain',
      PrepID: TASKCHAIN_PREPID,
      RequestPriority: 85000,
      RequestTransition: transitions(
        ['new', NOW - 10 * DAY],
        ['assignment-approved', NOW - 9 * DAY],
        ['running-open', NOW - (5 * 3600 + 7 * 60)],
      ),
      Campaigns: ['RunIISummer20UL18wmLHEGEN', 'RunIISummer20UL18SIM', 'RunIISummer20UL18SIM'],
      Requests: ['HIG-RunIISummer20UL18wmLHEGEN-00123', 'HIG-RunIISummer20UL18SIM-00456'],
      OutputDatasets: TASKCHAIN_DATASETS,
      ProcessingString: TASKCHAIN_PROCESSING_STRING,
      CMSSWVersion: 'CMSSW_10_6_30',
      TotalEvents: 500000,
      TotalInputLumis: -1,
      LastUpdate: NOW - 3 * DAY - 3600,
      EventNumberHistory: [
        {
          Time: NOW - 6 * DAY,
          Datasets: {
            [TASKCHAIN_DATASETS[0] as string]: {
              Type: 'PRODUCTION',
              Events: 100000,
              Size: 2_000_000_000,
            },
            [TASKCHAIN_DATASETS[1] as string]: {
              Type: 'PRODUCTION',
              Events: 20000,
              Size: 900_000_000,
            },
          },
        },
        {
          Time: NOW - 4 * DAY,
          Datasets: {
            [TASKCHAIN_DATASETS[0] as string]: {
              Type: 'VALID',
              Events: 500000,
              Size: 12_345_678_901,
            },
            [TASKCHAIN_DATASETS[1] as string]: {
              Type: 'PRODUCTION',
              Events: 250000,
              Size: 4_567_000_000,
            },
            [TASKCHAIN_DATASETS[2] as string]: { Type: 'PRODUCTION', Events: 1000, Size: 1234 },
          },
        },
      ],
    },
    {
      _id: STEPCHAIN,
      RequestName: STEPCHAIN,
      RequestType: 'StepChain',
      PrepID: 'task_EGM-Run3Summer22EEGS-00042',
      RequestPriority: 110000,
      RequestTransition: transitions(['new', NOW - 40 * DAY], ['completed', NOW - 2 * DAY]),
      Campaigns: ['Run3Summer22EEGS'],
      Requests: ['EGM-Run3Summer22EEGS-00042'],
      OutputDatasets: [
        '/DYto2E_MLL-50_TuneCP5_13p6TeV/Run3Summer22EEGS-124X_mcRun3_2022_realistic_postEE_v1-v2/GEN-SIM',
      ],
      ProcessingString: '124X_mcRun3_2022_realistic_postEE_v1',
      TotalEvents: 2000000,
      TotalInputLumis: -1,
      LastUpdate: NOW - 2 * DAY,
      EventNumberHistory: [
        {
          Time: NOW - 3 * DAY,
          Datasets: {
            '/DYto2E_MLL-50_TuneCP5_13p6TeV/Run3Summer22EEGS-124X_mcRun3_2022_realistic_postEE_v1-v2/GEN-SIM':
              { Type: 'VALID', Events: 2000000, Size: 987_654_321_000 },
          },
        },
      ],
    },
    {
      _id: RERECO,
      RequestName: RERECO,
      RequestType: 'ReReco',
      PrepID: RERECO_PREPID,
      RequestPriority: 110000,
      RequestTransition: transitions(['new', NOW - 20 * DAY], ['running-closed', NOW - 45 * 60]),
      Campaigns: ['Run2024F'],
      Requests: [RERECO_PREPID],
      InputDataset: RERECO_INPUT,
      OutputDatasets: RERECO_DATASETS,
      ProcessingString: 'ECALRatio',
      LumiList: {
        '382250': [[5, 97]],
        '382229': [
          [1, 180],
          [190, 412],
        ],
      },
      TotalEvents: 1200000,
      TotalInputLumis: 400,
      LastUpdate: NOW - 90,
      EventNumberHistory: [
        {
          Time: NOW - 2 * DAY,
          Datasets: Object.fromEntries(
            RERECO_DATASETS.map((d) => [
              d,
              { Type: 'PRODUCTION', Events: 300000, Size: 1_000_000, Lumis: 100 },
            ]),
          ),
        },
        {
          Time: NOW - DAY,
          Datasets: Object.fromEntries(
            RERECO_DATASETS.map((d) => [
              d,
              { Type: 'VALID', Events: 900000, Size: 5_500_000_000_000, Lumis: 300 },
            ]),
          ),
        },
      ],
    },
    {
      _id: RESUBMISSION,
      RequestName: RESUBMISSION,
      RequestType: 'Resubmission',
      PrepID: RERECO_PREPID,
      RequestPriority: 120000,
      RequestTransition: transitions(['new', NOW - 5 * DAY]),
      Campaigns: ['Run2024F'],
      Requests: [],
      InputDataset: RERECO_INPUT,
      OutputDatasets: [RERECO_DATASETS[0] as string],
      LumiList: { '382229': [[1, 10]] },
      TotalEvents: 1200000,
      TotalInputLumis: 400,
      LastUpdate: NOW - 4 * DAY,
      EventNumberHistory: [],
    },
    {
      _id: RELVAL,
      RequestName: RELVAL,
      RequestType: 'TaskChain',
      PrepID: RELVAL_PREPID,
      RequestPriority: 500000,
      RequestTransition: transitions(['new', NOW - 12 * DAY], ['announced', NOW - 30]),
      Campaigns: [RELVAL_CAMPAIGN],
      Requests: [RELVAL_PREPID],
      OutputDatasets: RELVAL_DATASETS,
      ProcessingString: '140X_mcRun3_2024_realistic_v3_STD_2024_PU',
      TotalEvents: 9000,
      TotalInputLumis: -1,
      LastUpdate: NOW - 7 * 60,
      EventNumberHistory: [
        {
          Time: NOW - DAY,
          Datasets: Object.fromEntries(
            RELVAL_DATASETS.map((d) => [d, { Type: 'VALID', Events: 9000, Size: 45_000_000_000 }]),
          ),
        },
      ],
    },
    {
      _id: NO_PREPID,
      RequestName: NO_PREPID,
      RequestType: 'MonteCarlo',
      PrepID: null,
      RequestPriority: 0,
      Campaigns: ['NoPrepIDCampaign'],
      Requests: [],
      OutputDatasets: ['/NoPrepID/Test-v1/AODSIM'],
      TotalEvents: -1,
      TotalInputLumis: -1,
      LastUpdate: NOW - 100 * DAY,
      EventNumberHistory: [],
    },
    {
      _id: OLD_NULLS,
      RequestName: OLD_NULLS,
      RequestType: 'ReReco',
      PrepID: null,
      RequestPriority: null,
      RequestTransition: null,
      Campaigns: null,
      Requests: null,
      OutputDatasets: null,
      TotalEvents: null,
      TotalInputLumis: null,
      LumiList: null,
      EventNumberHistory: null,
      LastUpdate: null,
    },
    {
      _id: WRONG_TYPES,
      RequestName: WRONG_TYPES,
      RequestType: 42,
      PrepID: ['x'],
      RequestPriority: 'high',
      RequestTransition: [null, { Status: 5 }, { Status: 'new', UpdateTime: 'yesterday' }],
      Campaigns: [1, null, 'BrokenCampaign'],
      Requests: 'not-a-list',
      OutputDatasets: 'not-a-list',
      TotalEvents: 'NaN',
      LumiList: 'zzz',
      EventNumberHistory: [
        { Time: 'x' },
        null,
        { Time: 5, Datasets: null },
        { Time: 6, Datasets: { '/a/b/AOD': { Events: 'many' } } },
      ],
      LastUpdate: 1e20,
    } as unknown as StoredWorkflow,
    {
      _id: HOSTILE,
      RequestName: HOSTILE,
      RequestType: '<b>Type</b>',
      PrepID: '"><img src=x onerror=alert(1)>',
      Campaigns: ["'><svg onload=alert(2)>"],
      Requests: ['<iframe src=javascript:alert(3)>'],
      OutputDatasets: ['/<script>/x"y/AOD'],
      ProcessingString: '</dd><script>alert(4)</script>',
      TotalEvents: 10,
      EventNumberHistory: [
        {
          Time: NOW - DAY,
          Datasets: { '/<script>/x"y/AOD': { Type: '<i>VALID</i>', Events: 5, Size: 5 } },
        },
      ],
    },
    {
      _id: HISTORY_ONLY,
      RequestName: HISTORY_ONLY,
      RequestType: 'ReDigi',
      TotalEvents: 1000,
      EventNumberHistory: [
        {
          Time: NOW - 50 * DAY,
          Datasets: { '/Only/In-History-v1/AODSIM': { Type: 'DELETED', Events: 250, Size: 1000 } },
        },
      ],
    },
    {
      // A processing string equal to a type and a request equal to a campaign: search must prefer type and campaign.
      _id: CASCADE,
      RequestName: CASCADE,
      RequestType: 'DQMHarvest',
      ProcessingString: 'TaskChain',
      Requests: ['Run3Summer22EEGS', 'ONLY-AS-REQUEST-00001'],
      Campaigns: ['CascadeCampaign'],
      OutputDatasets: [],
      TotalEvents: 0,
    },
  ];
}

/** Workflows that only fill pages: `count` MonteCarlo workflows named `filler_<nnnn>_…`. */
export function fillerWorkflows(count: number): StoredWorkflow[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(4, '0');
    const name = `filler_${n}_Summer24_${String(240101 + (i % 28)).padStart(6, '0')}_${String(100000 + i).slice(-6)}_${n}`;
    return {
      _id: name,
      RequestName: name,
      RequestType: 'MonteCarlo',
      PrepID: `PPD-Summer24GS-${String(i).padStart(5, '0')}`,
      Campaigns: ['Summer24GS'],
      Requests: [`PPD-Summer24GS-${String(i).padStart(5, '0')}`],
      OutputDatasets: [`/Filler${n}/Summer24GS-v1/GEN-SIM`],
      TotalEvents: 1000 + i,
      LastUpdate: NOW - i * 60,
      EventNumberHistory: [
        {
          Time: NOW - 3600,
          Datasets: {
            [`/Filler${n}/Summer24GS-v1/GEN-SIM`]: { Type: 'VALID', Events: i, Size: i * 1000 },
          },
        },
      ],
    };
  });
}
