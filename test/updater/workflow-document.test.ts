import { expect } from 'chai';
import type { LumiList, StoredWorkflow } from '../../workflow/documents.js';
import { isLumisMode } from '../../workflow/lumis-mode.js';
import {
  LookupAnswers,
  LookupFailedError,
  LookupMissingError,
  PARENT_MASKS,
  type ParentCandidate,
  type ParentLookup,
} from '../../updater/lookups.js';
import { parseReqMgrDocument } from '../../updater/reqmgr-document.js';
import {
  buildWorkflowDocument,
  documentChanged,
  documentLookups,
  type BuiltWorkflow,
} from '../../updater/workflow-document.js';
import {
  ACDC0_NAME,
  ACDC1_NAME,
  AODSIM,
  GEN_SIM,
  RERECO_NAME,
  TASKCHAIN_NAME,
  mcmTaskChainDocument,
  reRecoDocument,
  resubmissionDocument,
} from './fixtures.js';

function build(
  raw: Record<string, unknown>,
  answers = new LookupAnswers(),
  stored?: StoredWorkflow,
): BuiltWorkflow {
  return buildWorkflowDocument(parseReqMgrDocument(raw), answers, stored);
}

function lookupsOf(raw: Record<string, unknown>) {
  return documentLookups(parseReqMgrDocument(raw));
}

describe('workflow document', () => {
  describe('McM TaskChain', () => {
    it('builds every field of docs/workflow-document.md#fields from a three-task MC request', () => {
      const raw = mcmTaskChainDocument();
      expect(lookupsOf(raw)).to.deep.equal([]);
      const { document, warnings } = build(raw);
      expect(warnings).to.deep.equal([]);
      expect(document).to.deep.equal({
        _id: TASKCHAIN_NAME,
        RequestName: TASKCHAIN_NAME,
        RequestType: 'TaskChain',
        PrepID: 'task_EXO-Run3Summer23wmLHEGS-01234',
        AcquisitionEra: {
          'EXO-Run3Summer23wmLHEGS-01234_0': 'Run3Summer23wmLHEGS',
          'EXO-Run3Summer23DRPremix-00456_0': 'Run3Summer23DRPremix',
          'EXO-Run3Summer23DRPremix-00456_1': 'Run3Summer23DRPremix',
        },
        ProcessingString: '130X_mcRun3_2023_realistic_v14',
        CMSSWVersion: 'CMSSW_13_0_17',
        OutputDatasets: [GEN_SIM, AODSIM],
        RequestPriority: 85000,
        RequestTransition: [{ Status: 'new', UpdateTime: 1705307412 }],
        LumiList: {},
        Campaigns: ['Run3Summer23wmLHEGS', 'Run3Summer23DRPremix', 'Run3Summer23DRPremix'],
        Requests: [
          'EXO-Run3Summer23wmLHEGS-01234',
          'EXO-Run3Summer23DRPremix-00456',
          'EXO-Run3Summer23DRPremix-00456',
        ],
        // MC from scratch (TotalInputFiles 0): Task1's RequestNumEvents, without filter efficiency.
        TotalEvents: 100000,
        TotalInputLumis: 1250,
        EventNumberHistory: [],
      });
    });

    it('drops a dict ProcessingString that no task replaces, and takes a task AcquisitionEra as campaign', () => {
      const raw = mcmTaskChainDocument();
      for (const task of ['Task1', 'Task2', 'Task3']) {
        const dict = raw[task] as Record<string, unknown>;
        delete dict.ProcessingString;
        delete dict.Campaign;
      }
      const { document } = build(raw);
      expect(document).not.to.have.property('ProcessingString');
      expect(document.Campaigns).to.deep.equal([
        'Run3Summer23wmLHEGS',
        'Run3Summer23DRPremix',
        'Run3Summer23DRPremix',
      ]);
    });

    it('takes InputDataset from Task1 and asks DBS for its events when nothing else gives them', () => {
      const raw = mcmTaskChainDocument();
      const task1 = raw.Task1 as Record<string, unknown>;
      task1.InputDataset = GEN_SIM;
      delete task1.RequestNumEvents;
      delete raw.TotalInputFiles; // not yet acquired by the Global WorkQueue
      const lookup = { kind: 'fileSummary', dataset: GEN_SIM, validFileOnly: false } as const;
      expect(lookupsOf(raw)).to.deep.equal([lookup]);
      const answers = new LookupAnswers().set(lookup, {
        ok: true,
        value: { num_event: 248311, file_size: 93117000000, num_lumi: 1250 },
      });
      const { document } = build(raw, answers);
      expect(document.InputDataset).to.equal(GEN_SIM);
      expect(document.TotalEvents).to.equal(248311);
    });

    it('falls back to the document Campaign, then its AcquisitionEra, when no task names one', () => {
      const raw = mcmTaskChainDocument();
      for (const task of ['Task1', 'Task2', 'Task3']) {
        const dict = raw[task] as Record<string, unknown>;
        delete dict.Campaign;
        delete dict.AcquisitionEra;
      }
      expect(build(raw).document.Campaigns).to.deep.equal(['Run3Summer23wmLHEGS']);
      delete raw.Campaign;
      // A per-task dict: its distinct values, sorted (docs/workflow-document.md#campaigns-and-requests).
      expect(build(raw).document.Campaigns).to.deep.equal([
        'Run3Summer23DRPremix',
        'Run3Summer23wmLHEGS',
      ]);
      expect(build(raw).document.AcquisitionEra).to.deep.equal(raw.AcquisitionEra);
      raw.AcquisitionEra = 'Run3Summer23wmLHEGS';
      expect(build(raw).document.Campaigns).to.deep.equal(['Run3Summer23wmLHEGS']);
      raw.AcquisitionEra = '';
      expect(build(raw).document.Campaigns).to.deep.equal([]);
    });

    it("takes a chain's campaign from a dict AcquisitionEra whose tasks share one era", () => {
      const raw = mcmTaskChainDocument();
      for (const task of ['Task1', 'Task2', 'Task3']) {
        const dict = raw[task] as Record<string, unknown>;
        delete dict.Campaign;
        delete dict.AcquisitionEra;
      }
      delete raw.Campaign;
      raw.AcquisitionEra = { RecoLumiMask: 'Run2022B', HarvestLumiMask: 'Run2022B', Empty: '' };
      expect(build(raw).document.Campaigns).to.deep.equal(['Run2022B']);
    });
  });

  describe('StepChain', () => {
    const name = 'pdmvserv_task_B2G-Run3Summer22EEDRPremix-00301__v1_T_230301_120000_42';
    const genSim =
      '/WprimeToTB_M3000_TuneCP5_13p6TeV-madgraph-pythia8/Run3Summer22EEwmLHEGS-124X_mcRun3_2022_realistic_postEE_v1-v2/GEN-SIM';

    function stepChain(): Record<string, unknown> {
      return {
        _id: name,
        RequestName: name,
        RequestType: 'StepChain',
        StepChain: 2,
        PrepID: 'task_B2G-Run3Summer22EEDRPremix-00301',
        Campaign: 'Run3Summer22EEDRPremix',
        AcquisitionEra: { DIGIPremix: 'Run3Summer22EEDRPremix', RECO: 'Run3Summer22EEDRPremix' },
        ProcessingString: {
          DIGIPremix: '124X_mcRun3_2022_realistic_postEE_v1',
          RECO: '124X_mcRun3_2022_realistic_postEE_v1',
        },
        CMSSWVersion: 'CMSSW_12_4_14_patch3',
        OutputDatasets: [
          '/WprimeToTB_M3000_TuneCP5_13p6TeV-madgraph-pythia8/Run3Summer22EEDRPremix-124X_mcRun3_2022_realistic_postEE_v1-v2/AODSIM',
        ],
        RequestPriority: 110000,
        TotalInputEvents: 200000,
        TotalInputFiles: 40,
        TotalInputLumis: 400,
        Step1: {
          StepName: 'DIGIPremix',
          PrepID: 'B2G-Run3Summer22EEDRPremix-00301',
          AcquisitionEra: 'Run3Summer22EEDRPremix',
          ProcessingString: '124X_mcRun3_2022_realistic_postEE_v1',
          InputDataset: genSim,
          FilterEfficiency: 0.5,
        },
        Step2: {
          StepName: 'RECO',
          InputStep: 'DIGIPremix',
          PrepID: 'B2G-Run3Summer22EEDRPremix-00301',
          Campaign: 'Run3Summer22EEDRPremix',
        },
        Task1: { PrepID: 'not-read-for-a-StepChain-walk', Campaign: 'NotAStep' },
        RequestTransition: [{ Status: 'assigned', DN: '', UpdateTime: 1677672000 }],
      };
    }

    it('walks the steps and takes Step1 InputDataset, ProcessingString and filter efficiency', () => {
      const { document } = build(stepChain());
      expect(document.Campaigns).to.deep.equal([
        'Run3Summer22EEDRPremix',
        'Run3Summer22EEDRPremix',
      ]);
      expect(document.Requests).to.deep.equal([
        'B2G-Run3Summer22EEDRPremix-00301',
        'B2G-Run3Summer22EEDRPremix-00301',
      ]);
      expect(document.InputDataset).to.equal(genSim);
      expect(document.ProcessingString).to.equal('124X_mcRun3_2022_realistic_postEE_v1');
      // Input files present: floor(Step1 FilterEfficiency × TotalInputEvents).
      expect(document.TotalEvents).to.equal(100000);
    });

    it('asks DBS for Step1 InputDataset events when TotalInput* are not there yet', () => {
      const raw = stepChain();
      delete raw.TotalInputEvents;
      delete raw.TotalInputFiles;
      delete raw.TotalInputLumis;
      const lookups = lookupsOf(raw);
      expect(lookups).to.deep.equal([
        { kind: 'fileSummary', dataset: genSim, validFileOnly: false },
      ]);
      const answers = new LookupAnswers().set(
        { kind: 'fileSummary', dataset: genSim, validFileOnly: false },
        { ok: true, value: { num_event: 1500000, file_size: 2.1e12, num_lumi: 3000 } },
      );
      const { document, warnings } = build(raw, answers);
      expect(document.TotalEvents).to.equal(1500000);
      expect(document.TotalInputLumis).to.equal(-1);
      expect(warnings).to.deep.equal([
        `${name}: TotalInputLumis not found (the document has none), stored as -1`,
      ]);
    });
  });

  describe('legacy MonteCarlo', () => {
    function monteCarlo(): Record<string, unknown> {
      return {
        RequestName: 'pdmvserv_HIG-RunIIFall17wmLHEGS-00462_00051_v0__171015_153154_2761',
        RequestType: 'MonteCarlo',
        PrepID: 'HIG-RunIIFall17wmLHEGS-00462',
        Campaign: 'RunIIFall17wmLHEGS',
        AcquisitionEra: 'RunIIFall17wmLHEGS',
        ProcessingString: '93X_mc2017_realistic_v3',
        OutputDatasets: [
          '/GluGluHToZZTo4L_M125_13TeV_powheg2_JHUGenV7011_pythia8/RunIIFall17wmLHEGS-93X_mc2017_realistic_v3-v1/GEN-SIM',
          '/GluGluHToZZTo4L_M125_13TeV_powheg2_JHUGenV7011_pythia8/RunIIFall17wmLHEGS-93X_mc2017_realistic_v3-v1/LHE',
        ],
        RequestPriority: 90000,
        RequestNumEvents: 8000,
        FilterEfficiency: 0.8526879218,
        TotalInputEvents: 9382,
        TotalInputFiles: 0,
        TotalInputLumis: 47,
        SizePerEvent: 1234,
        TimePerEvent: 144,
      };
    }

    it('counts RequestNumEvents for MC from scratch (no input files), ignoring filter efficiency', () => {
      const { document } = build(monteCarlo());
      expect(document.TotalEvents).to.equal(8000);
      expect(document.Campaigns).to.deep.equal(['RunIIFall17wmLHEGS']);
      expect(document.Requests).to.deep.equal([]);
      expect(document.OutputDatasets.map((d) => d.split('/')[3])).to.deep.equal(['LHE', 'GEN-SIM']);
      expect(document).to.include({ SizePerEvent: 1234, TimePerEvent: 144, TotalInputLumis: 47 });
      expect(document).not.to.have.property('RequestTransition');
    });

    it('applies the filter efficiency to TotalInputEvents when the request reads input files', () => {
      const raw = monteCarlo();
      raw.RequestType = 'MonteCarloFromGEN';
      raw.TotalInputFiles = 12;
      // floor(0.8526879218 × 9382) = floor(7999.92…)
      expect(build(raw).document.TotalEvents).to.equal(7999);
    });

    it('ignores a null RequestNumEvents and ends at −1 with a warning when nothing gives events', () => {
      const raw = monteCarlo();
      raw.RequestNumEvents = null;
      const { document, warnings } = build(raw);
      expect(document.TotalEvents).to.equal(-1);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/TotalEvents not found \(no TotalInputEvents with input files/);
    });
  });

  describe('ReReco', () => {
    it('is in lumis mode with its lumi mask and takes events from TotalInputEvents', () => {
      const { document, warnings } = build(reRecoDocument());
      expect(warnings).to.deep.equal([]);
      expect(document).to.deep.include({
        _id: RERECO_NAME,
        InputDataset: '/JetMET0/Run2024F-v1/RAW',
        ProcessingString: 'ECALRatio',
        LumiList: {
          '382229': [
            [1, 180],
            [190, 412],
          ],
          '382250': [[5, 97]],
        },
        TotalEvents: 1204318,
        TotalInputLumis: 496,
        Campaigns: ['Run2024F'],
      });
      expect(document.OutputDatasets).to.deep.equal([
        '/JetMET0/Run2024F-ECALRatio-v1/DQMIO',
        '/JetMET0/Run2024F-ECALRatio-v1/AOD',
        '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD',
      ]);
      expect(document.RequestTransition).to.have.length(4);
      expect(isLumisMode(document)).to.equal(true);
    });

    it('counts each DBS file of a masked Task1 input once, however many masked runs list it', () => {
      const name = 'pdmvserv_Run2024F_JetMET0_ECALRatio_Multi_240902_101512_4418';
      const dataset = '/JetMET0/Run2024F-v1/RAW';
      const lumiList: LumiList = {
        '382229': [
          [1, 180],
          [190, 412],
        ],
        '382250': [[5, 97]],
      };
      const raw = {
        RequestName: name,
        RequestType: 'TaskChain', // the ReReco machine submits several sequences as a TaskChain
        PrepID: 'ReReco-Run2024F-JetMET0-ECALRatio-00003',
        TaskChain: 1,
        Task1: { TaskName: 'ReReco_ECALRatio', InputDataset: dataset, LumiList: lumiList },
        OutputDatasets: ['/JetMET0/Run2024F-ECALRatio-v1/AOD'],
      };
      const lookups = lookupsOf(raw);
      expect(lookups).to.deep.equal([{ kind: 'lumiMaskFiles', dataset, lumiList }]);
      const lfn = (id: string) =>
        `/store/data/Run2024F/JetMET0/RAW/v1/000/382/229/00000/${id}.root`;
      const rows = [
        { logical_file_name: lfn('0a1b'), event_count: 48211 },
        { logical_file_name: lfn('77ee'), event_count: 51020 }, // spans runs 382229 and 382250
        { logical_file_name: lfn('77ee'), event_count: 51020 },
        { logical_file_name: lfn('c0de'), event_count: 10400 },
      ];
      const answers = new LookupAnswers().set(
        { kind: 'lumiMaskFiles', dataset, lumiList },
        { ok: true, value: rows },
      );
      expect(build(raw, answers).document.TotalEvents).to.equal(48211 + 51020 + 10400);

      // The same rows in another order give the same count.
      const reversed = new LookupAnswers().set(
        { kind: 'lumiMaskFiles', dataset, lumiList },
        { ok: true, value: [...rows].reverse() },
      );
      expect(build(raw, reversed).document.TotalEvents).to.equal(109631);
    });

    it('leaves lumis mode when TotalInputLumis or the LumiList is missing', () => {
      const noLumis = reRecoDocument();
      delete noLumis.TotalInputLumis;
      const built = build(noLumis);
      expect(built.document.TotalInputLumis).to.equal(-1);
      expect(built.warnings).to.deep.equal([
        `${RERECO_NAME}: TotalInputLumis not found (the document has none), stored as -1`,
      ]);
      expect(isLumisMode(built.document)).to.equal(false);
      const noMask = reRecoDocument();
      noMask.LumiList = {};
      expect(isLumisMode(build(noMask).document)).to.equal(false);
    });
  });

  describe('Resubmission', () => {
    const lookup: ParentLookup = {
      kind: 'parent',
      prepId: 'task_EXO-Run3Summer23wmLHEGS-01234',
      masks: PARENT_MASKS,
    };

    function candidate(
      RequestName: string,
      RequestType: string,
      TotalInputEvents: number | null,
      TotalInputLumis: number | null,
      OriginalRequestName: string | null = null,
    ): ParentCandidate {
      return { RequestName, RequestType, TotalInputEvents, TotalInputLumis, OriginalRequestName };
    }

    const original = candidate(TASKCHAIN_NAME, 'TaskChain', 250000, 1250);
    const acdc0 = candidate(ACDC0_NAME, 'Resubmission', null, null, TASKCHAIN_NAME);
    const acdc1 = candidate(ACDC1_NAME, 'Resubmission', null, null, ACDC0_NAME);
    // A clone with the same PrepID, listed before the original by ReqMgr2's view.
    const clone = candidate(
      'cmsunified_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240120_101010_5511',
      'TaskChain',
      90000,
      450,
    );
    const harvest = candidate(
      'pdmvserv_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240116_000000_1_Harvest',
      'DQMHarvest',
      0,
      3,
    );

    function withParents(...candidates: ParentCandidate[]): LookupAnswers {
      return new LookupAnswers().set(lookup, { ok: true, value: candidates });
    }

    it('asks ReqMgr2 for the requests of its PrepID, and nothing else', () => {
      expect(lookupsOf(resubmissionDocument())).to.deep.equal([lookup]);
    });

    it('takes the parent named by OriginalRequestName, scaled by Task1 filter efficiency', () => {
      const { document, warnings } = build(
        resubmissionDocument(),
        withParents(acdc0, clone, original),
      );
      expect(warnings).to.deep.equal([]);
      // floor(0.4 × 250000): the original, not the clone listed first.
      expect(document.TotalEvents).to.equal(100000);
      expect(document.TotalInputLumis).to.equal(1250);
      expect(document).to.include({ RequestType: 'Resubmission', PrepID: lookup.prepId });
      expect(document.Requests).to.have.length(3);
    });

    it('follows a chain of Resubmissions to the original request', () => {
      const raw = resubmissionDocument();
      raw._id = raw.RequestName = ACDC1_NAME;
      raw.OriginalRequestName = ACDC0_NAME;
      const { document } = build(raw, withParents(acdc1, clone, acdc0, original));
      expect(document.TotalEvents).to.equal(100000);
      expect(document.TotalInputLumis).to.equal(1250);
    });

    it('never takes a DQMHarvest, even when OriginalRequestName names one', () => {
      const raw = resubmissionDocument();
      raw.OriginalRequestName = harvest.RequestName;
      const { document } = build(raw, withParents(harvest, acdc0, original));
      expect(document.TotalEvents).to.equal(100000);
      expect(document.TotalInputLumis).to.equal(1250);
    });

    it('falls back to the first non-Resubmission with the value when the named parent lacks it', () => {
      const raw = resubmissionDocument();
      const namedName = 'pdmvserv_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_231201_000000_9';
      raw.OriginalRequestName = namedName;
      const named = candidate(namedName, 'TaskChain', null, null);
      const { document } = build(raw, withParents(harvest, acdc0, named, clone, original));
      expect(document.TotalEvents).to.equal(36000); // floor(0.4 × 90000), the clone
      expect(document.TotalInputLumis).to.equal(450);
    });

    it('stores −1 for both totals, with warnings, when no request has them', () => {
      const { document, warnings } = build(resubmissionDocument(), withParents(acdc0, harvest));
      expect(document.TotalEvents).to.equal(-1);
      expect(document.TotalInputLumis).to.equal(-1);
      expect(warnings).to.deep.equal([
        `${ACDC0_NAME}: TotalEvents not found (no request with PrepID ${lookup.prepId} but Resubmissions and DQMHarvests has TotalInputEvents), stored as -1`,
        `${ACDC0_NAME}: TotalInputLumis not found (no request with PrepID ${lookup.prepId} but Resubmissions and DQMHarvests has TotalInputLumis), stored as -1`,
      ]);
      const empty = build(resubmissionDocument(), withParents());
      expect(empty.document).to.include({ TotalEvents: -1, TotalInputLumis: -1 });
    });

    it('makes no look-up without a PrepID and stores −1 for both totals', () => {
      const raw = resubmissionDocument();
      raw.PrepID = null;
      expect(lookupsOf(raw)).to.deep.equal([]);
      const { document, warnings } = build(raw);
      expect(document).to.include({ TotalEvents: -1, TotalInputLumis: -1 });
      expect(document).not.to.have.property('PrepID');
      expect(warnings).to.have.length(2);
    });

    it('is in lumis mode when it carries a lumi mask and the parent has lumis', () => {
      const raw = resubmissionDocument();
      raw.RequestType = 'resubmission';
      raw.LumiList = { '382229': [[1, 180]] };
      expect(isLumisMode(build(raw, withParents(original)).document)).to.equal(true);
    });
  });

  describe('RelVal', () => {
    it('builds a RelVal TaskChain reading data', () => {
      const name = 'pdmvserv_RVCMSSW_14_0_0RunJetMET2024B__RelVal_2024B_240301_101010_1234';
      const raw = {
        _id: name,
        RequestName: name,
        RequestType: 'TaskChain',
        SubRequestType: 'RelVal',
        TaskChain: 2,
        PrepID: 'CMSSW_14_0_0__RelVal_2024B-RunJetMET2024B-00001',
        Campaign: 'CMSSW_14_0_0__RelVal_2024B-1709287810',
        AcquisitionEra: 'CMSSW_14_0_0',
        ProcessingString: {
          HLTDR3_2024: '140X_dataRun3_HLT_v3_RelVal_2024B',
          RECONANORUN3: '140X_dataRun3_v3_RelVal_2024B',
        },
        OutputDatasets: [
          '/JetMET0/CMSSW_14_0_0-140X_dataRun3_v3_RelVal_2024B-v1/NANOAOD',
          '/JetMET0/CMSSW_14_0_0-140X_dataRun3_v3_RelVal_2024B-v1/DQMIO',
          '/JetMET0/CMSSW_14_0_0-140X_dataRun3_v3_RelVal_2024B-v1/RECO',
        ],
        TotalInputEvents: 60000,
        TotalInputFiles: 3,
        TotalInputLumis: 120,
        Task1: {
          TaskName: 'HLTDR3_2024',
          InputDataset: '/JetMET0/Run2024B-v1/RAW',
          ProcessingString: '140X_dataRun3_HLT_v3_RelVal_2024B',
          Campaign: 'CMSSW_14_0_0__RelVal_2024B-1709287810',
        },
        Task2: { TaskName: 'RECONANORUN3', Campaign: 'CMSSW_14_0_0__RelVal_2024B-1709287810' },
      };
      const { document } = build(raw);
      expect(document).to.deep.include({
        InputDataset: '/JetMET0/Run2024B-v1/RAW',
        ProcessingString: '140X_dataRun3_HLT_v3_RelVal_2024B',
        TotalEvents: 60000,
        RequestPriority: 0,
        Requests: [],
        Campaigns: [
          'CMSSW_14_0_0__RelVal_2024B-1709287810',
          'CMSSW_14_0_0__RelVal_2024B-1709287810',
        ],
      });
      expect(document.OutputDatasets.map((d) => d.split('/')[3])).to.deep.equal([
        'DQMIO',
        'RECO',
        'NANOAOD',
      ]);
    });
  });

  describe('attribute rules', () => {
    it('drops a null PrepID and task PrepIDs that are null', () => {
      const raw = mcmTaskChainDocument();
      raw.PrepID = null;
      (raw.Task2 as Record<string, unknown>).PrepID = null;
      const { document } = build(raw);
      expect(document).not.to.have.property('PrepID');
      expect(document.Requests).to.deep.equal([
        'EXO-Run3Summer23wmLHEGS-01234',
        'EXO-Run3Summer23DRPremix-00456',
      ]);
    });

    it('flattens nested OutputDatasets, and keeps an empty or missing list as []', () => {
      const raw = reRecoDocument();
      raw.OutputDatasets = [
        ['/JetMET0/Run2024F-ECALRatio-v1/MINIAOD'],
        [
          ['/JetMET0/Run2024F-ECALRatio-v1/AOD'],
          '/JetMET0/Run2024F-EcalESAlign-ECALRatio-v1/ALCARECO',
        ],
      ];
      expect(build(raw).document.OutputDatasets).to.deep.equal([
        '/JetMET0/Run2024F-EcalESAlign-ECALRatio-v1/ALCARECO',
        '/JetMET0/Run2024F-ECALRatio-v1/AOD',
        '/JetMET0/Run2024F-ECALRatio-v1/MINIAOD',
      ]);
      raw.OutputDatasets = [];
      expect(build(raw).document.OutputDatasets).to.deep.equal([]);
      delete raw.OutputDatasets;
      expect(build(raw).document.OutputDatasets).to.deep.equal([]);
    });

    it('sorts unknown tiers first', () => {
      const raw = reRecoDocument();
      raw.OutputDatasets = [
        '/JetMET0/Run2024F-ECALRatio-v1/AOD',
        '/JetMET0/Run2024F-ECALRatio-v1/NEWTIER',
        '/JetMET0/Run2024F-ECALRatio-v1/USER',
      ];
      expect(build(raw).document.OutputDatasets).to.deep.equal([
        '/JetMET0/Run2024F-ECALRatio-v1/NEWTIER',
        '/JetMET0/Run2024F-ECALRatio-v1/USER',
        '/JetMET0/Run2024F-ECALRatio-v1/AOD',
      ]);
    });

    it('makes RequestPriority an integer, 0 when missing or null', () => {
      const raw = reRecoDocument();
      raw.RequestPriority = 110000.7;
      expect(build(raw).document.RequestPriority).to.equal(110000);
      raw.RequestPriority = null;
      expect(build(raw).document.RequestPriority).to.equal(0);
    });

    it('keeps optional attributes only when present and not null', () => {
      const raw = reRecoDocument();
      for (const key of ['CMSSWVersion', 'SizePerEvent', 'AcquisitionEra', 'LumiList'])
        delete raw[key];
      raw.TimePerEvent = null;
      const { document } = build(raw);
      for (const key of [
        'CMSSWVersion',
        'SizePerEvent',
        'TimePerEvent',
        'AcquisitionEra',
        'LumiList',
      ]) {
        expect(document).not.to.have.property(key);
      }
    });

    it('keeps EventNumberHistory from the stored document', () => {
      const history = [
        {
          Time: 1725299990,
          Datasets: {
            '/JetMET0/Run2024F-ECALRatio-v1/AOD': {
              Type: 'PRODUCTION',
              Events: 602111,
              Size: 301055500000,
              Lumis: 240,
            },
          },
        },
      ];
      const stored: StoredWorkflow = {
        _id: RERECO_NAME,
        _rev: '3-ab',
        EventNumberHistory: history,
      };
      expect(
        build(reRecoDocument(), new LookupAnswers(), stored).document.EventNumberHistory,
      ).to.deep.equal(history);
      const legacy: StoredWorkflow = { _id: RERECO_NAME, EventNumberHistory: null };
      expect(
        build(reRecoDocument(), new LookupAnswers(), legacy).document.EventNumberHistory,
      ).to.deep.equal([]);
    });
  });

  describe('failed upstream answers', () => {
    const lookup: ParentLookup = {
      kind: 'parent',
      prepId: 'task_EXO-Run3Summer23wmLHEGS-01234',
      masks: PARENT_MASKS,
    };

    it('fails the build, keeping the upstream error as cause, instead of storing −1', () => {
      const cause = new Error('ReqMgr2 answered 502 with an HTML page');
      const answers = new LookupAnswers().set(lookup, { ok: false, error: cause });
      try {
        build(resubmissionDocument(), answers);
        expect.fail('the build succeeded');
      } catch (err) {
        expect(err).to.be.instanceOf(LookupFailedError);
        const failed = err as LookupFailedError;
        expect(failed.code).to.equal('LOOKUP_FAILED');
        expect(failed.cause).to.equal(cause);
        expect(failed.lookup).to.deep.equal(lookup);
        expect(failed.message).to.equal(
          'ReqMgr2 look-up of the requests with PrepID task_EXO-Run3Summer23wmLHEGS-01234 failed: ReqMgr2 answered 502 with an HTML page',
        );
      }
    });

    it('fails the build when a DBS answer failed', () => {
      const raw = mcmTaskChainDocument();
      const task1 = raw.Task1 as Record<string, unknown>;
      task1.InputDataset = GEN_SIM;
      delete task1.RequestNumEvents;
      const answers = new LookupAnswers().set(
        { kind: 'fileSummary', dataset: GEN_SIM, validFileOnly: false },
        { ok: false, error: new Error('DBSError Code:113 unable to match dataset value') },
      );
      expect(() => build(raw, answers)).to.throw(
        LookupFailedError,
        /DBS filesummaries of \/Zprime.*DBSError Code:113/,
      );
    });

    it('refuses to build without an answer it needs', () => {
      expect(() => build(resubmissionDocument())).to.throw(
        LookupMissingError,
        'no answer was given for ReqMgr2 look-up of the requests with PrepID task_EXO-Run3Summer23wmLHEGS-01234',
      );
    });
  });

  describe('documentChanged', () => {
    function stored(): StoredWorkflow {
      const { document } = build(reRecoDocument());
      // Keys in another order, as CouchDB may return them, plus the write fields.
      const reordered = Object.fromEntries(Object.entries(document).reverse());
      return { ...reordered, _id: RERECO_NAME, _rev: '7-0f1e2d3c', LastUpdate: 1725300000 };
    }

    it('ignores _rev, LastUpdate and key order', () => {
      expect(documentChanged(stored(), build(reRecoDocument()).document)).to.equal(false);
    });

    it('sees a new status, a new history entry, a changed value or a null an older version stored', () => {
      const newStatus = reRecoDocument();
      (newStatus.RequestTransition as unknown[]).push({
        Status: 'running-closed',
        DN: '',
        UpdateTime: 1725300500,
      });
      expect(documentChanged(stored(), build(newStatus).document)).to.equal(true);

      const withHistory = build(reRecoDocument()).document;
      withHistory.EventNumberHistory = [{ Time: 1725300600, Datasets: {} }];
      expect(documentChanged(stored(), withHistory)).to.equal(true);

      const priority = reRecoDocument();
      priority.RequestPriority = 110001;
      expect(documentChanged(stored(), build(priority).document)).to.equal(true);

      expect(
        documentChanged({ ...stored(), TotalInputLumis: null }, build(reRecoDocument()).document),
      ).to.equal(true);
    });

    it('is true when nothing is stored yet', () => {
      expect(documentChanged(undefined, build(reRecoDocument()).document)).to.equal(true);
    });
  });
});
