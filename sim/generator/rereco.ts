/**
 * Collision-data requests from the ReReco machine (ReReco, its TaskChain form, DQM
 * harvesting) and the RAW datasets they read, which exist in DBS from the start.
 */
import { maskRuns, type LumiRun } from '../dbs-content.js';
import { hexOf, Rng } from '../prng.js';
import {
  ALCARECO_SKIMS,
  DATA_ERAS,
  RERECO_LABELS,
  UNKNOWN_TIERS,
  primaryDatasetsOf,
  type DataEra,
} from '../vocabulary.js';
import {
  bytesPerEvent,
  dataLayout,
  datasetSeed,
  dateLabel,
  firstSubmission,
  pdmvRequestor,
  requestName,
  serial,
  statusPath,
} from './common.js';
import type { InputPlan, LumiMask, OutputPlan, WorkflowSpec } from './types.js';

export function eraStart(era: DataEra): number {
  return Date.UTC(era.year, 4, 1) / 1000 + (era.lastRun % 97) * 86400;
}

/** Eras that had been taken a month before `createdAt` (the oldest when none). */
export function erasBefore(createdAt: number): DataEra[] {
  const eligible = DATA_ERAS.filter((era) => eraStart(era) + 30 * 86400 < createdAt);
  return eligible.length > 0 ? eligible : [DATA_ERAS[0] as DataEra];
}

/** The RAW dataset of one primary dataset in one era, as DBS holds it (all VALID). */
export function rawDataset(era: DataEra, primary: string): InputPlan {
  const name = `/${primary}/${era.era}-v1/RAW`;
  const seed = datasetSeed(name);
  const rng = new Rng(seed);
  const runNumbers = new Set<number>();
  const runCount = rng.int(4, 10);
  while (runNumbers.size < runCount) runNumbers.add(rng.int(era.firstRun, era.lastRun));
  const runs: LumiRun[] = [...runNumbers]
    .sort((a, b) => a - b)
    .map((run) => ({ run, ranges: [[1, rng.int(30, 400)]] }));
  return {
    name,
    own: false,
    era: era.era,
    dataType: 'data',
    layout: dataLayout(
      seed,
      `/store/data/${era.era}/${primary}/RAW/v1`,
      runs,
      rng.int(300, 3000),
      bytesPerEvent('RAW'),
    ),
    mask: {},
    createdAt: eraStart(era),
  };
}

/** Every RAW dataset of the vocabulary: the DBS content that exists before any workflow. */
export function allRawDatasets(): InputPlan[] {
  return DATA_ERAS.flatMap((era) =>
    primaryDatasetsOf(era).map((primary) => rawDataset(era, primary)),
  );
}

/** 1–3 runs of the dataset, each with 1–3 lumi ranges. */
export function chooseMask(rng: Rng, runs: readonly LumiRun[]): LumiMask {
  const mask: LumiMask = {};
  const chosen = rng.shuffled(runs).slice(0, rng.int(1, Math.min(3, runs.length)));
  for (const { run, ranges } of chosen) {
    const last = ranges[ranges.length - 1]?.[1] ?? 1;
    const cuts = new Set<number>();
    const count = rng.int(1, 3) * 2;
    while (cuts.size < Math.min(count, last)) cuts.add(rng.int(1, last));
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: Array<[number, number]> = [];
    for (let i = 0; i + 1 < sorted.length; i += 2)
      out.push([sorted[i] as number, sorted[i + 1] as number]);
    if (out.length === 0) out.push([sorted[0] ?? 1, sorted[0] ?? 1]);
    mask[String(run)] = out;
  }
  return mask;
}

const TIER_EVENT_FRACTION: Readonly<Record<string, number>> = { ALCARECO: 0.05, USER: 0.1 };

export function dataOutput(
  primary: string,
  era: string,
  processed: string,
  version: number,
  tier: string,
  input: InputPlan,
): OutputPlan {
  const name = `/${primary}/${processed}/${tier}`;
  const seed = datasetSeed(name);
  const runs =
    Object.keys(input.mask).length > 0
      ? maskRuns(input.layout.runs, input.mask)
      : input.layout.runs;
  const eventsPerLumi = Math.max(
    1,
    Math.round(input.layout.eventsPerLumi * (TIER_EVENT_FRACTION[tier] ?? 1)),
  );
  const lfnProcessed = processed.slice(era.length + 1);
  return {
    name,
    tier,
    era,
    version,
    dataType: 'data',
    layout: dataLayout(
      seed,
      `/store/data/${era}/${primary}/${tier}/${lfnProcessed}`,
      runs,
      eventsPerLumi,
      bytesPerEvent(tier),
    ),
    produced: true,
  };
}

interface DataChoice {
  era: DataEra;
  primary: string;
  processingString: string;
  version: number;
  input: InputPlan;
}

function chooseData(rng: Rng, createdAt: number, masked: number): DataChoice {
  const era = rng.pick(erasBefore(createdAt));
  const primary = rng.pick(primaryDatasetsOf(era));
  const raw = rawDataset(era, primary);
  const input = { ...raw, mask: rng.chance(masked) ? chooseMask(rng, raw.layout.runs) : {} };
  return {
    era,
    primary,
    // Reprocessing campaigns are named after their date, sometimes with a purpose label.
    processingString: rng.chance(0.6)
      ? dateLabel(createdAt - rng.int(0, 20) * 86400)
      : `${dateLabel(createdAt - rng.int(0, 20) * 86400)}_${rng.pick(RERECO_LABELS)}`,
    version: Number(rng.weighted({ 1: 85, 2: 12, 3: 3 })),
    input,
  };
}

function rerecoOutputs(rng: Rng, choice: DataChoice, withNano: boolean): OutputPlan[] {
  const { era, primary, processingString: ps, version, input } = choice;
  const processed = `${era.era}-${ps}-v${version}`;
  const tiers = ['AOD', 'MINIAOD', 'DQMIO'];
  if (withNano) tiers.push('NANOAOD');
  if (rng.chance(0.03)) tiers.push('USER');
  if (rng.chance(0.03)) tiers.push(rng.pick(UNKNOWN_TIERS));
  const outputs = tiers.map((tier) =>
    dataOutput(primary, era.era, processed, version, tier, input),
  );
  for (const skim of ALCARECO_SKIMS.filter(() => rng.chance(0.15))) {
    outputs.push(
      dataOutput(
        primary,
        era.era,
        `${era.era}-${skim}-${ps}-v${version}`,
        version,
        'ALCARECO',
        input,
      ),
    );
  }
  return rng.shuffled(outputs);
}

function dataCommon(
  rng: Rng,
  index: number,
  createdAt: number,
  choice: DataChoice,
  requestString: string,
) {
  return {
    index,
    name: requestName('pdmvserv', requestString, createdAt, rng),
    requestString,
    ...pdmvRequestor(),
    prepId: `ReReco-${choice.era.era}-${choice.primary}-${choice.processingString}-${serial(rng)}`,
    campaign: choice.era.era,
    processingVersion: choice.version,
    cmssw: choice.era.cmssw,
    globalTag: choice.era.globalTag,
    input: choice.input,
    path: statusPath(rng, createdAt),
    priority: rng.pick([110000, 200000]),
    sizePerEvent: Math.round(rng.next() * 40) / 10 + 0.5,
    timePerEvent: rng.int(2, 20),
    requestNumEvents: undefined,
    filterEfficiency: 1,
    eventsPerLumi: choice.input.layout.eventsPerLumi,
    ...firstSubmission(rng, createdAt),
  };
}

/** A ReReco request (single task, optional lumi mask at the top level). */
export function rereco(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const choice = chooseData(rng, createdAt, 0.7);
  const ps = choice.processingString;
  return {
    ...dataCommon(rng, index, createdAt, choice, `${choice.era.era}_${choice.primary}_${ps}`),
    kind: 'rereco',
    type: 'ReReco',
    acquisitionEra: choice.era.era,
    processingString: ps,
    chain: undefined,
    top: {
      InputDataset: choice.input.name,
      LumiList: choice.input.mask,
      RunWhitelist: [],
      SplittingAlgo: 'EventAwareLumiBased',
      Memory: 14000,
      Multicore: 8,
      Group: 'PPD',
    },
    outputs: rerecoOutputs(rng, choice, rng.chance(0.5)),
    nestOutputs: false,
  };
}

/** The ReReco machine's TaskChain form (several sequences): the mask lives in Task1. */
export function rerecoTaskChain(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const choice = chooseData(rng, createdAt, 0.8);
  const era = choice.era.era;
  const ps = choice.processingString;
  const recoTask = `ReReco_${era}_${choice.primary}`;
  const nanoTask = `NanoAOD_${era}_${choice.primary}`;
  const common = {
    AcquisitionEra: era,
    ProcessingString: ps,
    Campaign: era,
    GlobalTag: choice.era.globalTag,
    CMSSWVersion: choice.era.cmssw,
    KeepOutput: true,
  };
  return {
    ...dataCommon(rng, index, createdAt, choice, `${era}_${choice.primary}_${ps}`),
    kind: 'rereco-taskchain',
    type: 'TaskChain',
    acquisitionEra: { [recoTask]: era, [nanoTask]: era },
    processingString: { [recoTask]: ps, [nanoTask]: ps },
    chain: {
      key: 'TaskChain',
      tasks: [
        {
          TaskName: recoTask,
          InputDataset: choice.input.name,
          LumiList: choice.input.mask,
          SplittingAlgo: 'EventAwareLumiBased',
          ConfigCacheID: hexOf(32, 'config', index, 1),
          ...common,
        },
        {
          TaskName: nanoTask,
          InputTask: recoTask,
          InputFromOutputModule: 'MINIAODoutput',
          SplittingAlgo: 'EventAwareLumiBased',
          ConfigCacheID: hexOf(32, 'config', index, 2),
          ...common,
        },
      ],
    },
    top: { LumiList: {}, SubRequestType: 'ReReco', Memory: 14000, Multicore: 8, Group: 'PPD' },
    outputs: rerecoOutputs(rng, choice, true),
    nestOutputs: false,
  };
}

/** DQM harvesting of a DQMIO dataset: no output datasets at all. */
export function dqmHarvest(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const choice = chooseData(rng, createdAt, 0.3);
  const era = choice.era.era;
  const ps = choice.processingString;
  const processed = `${era}-${ps}-v${choice.version}`;
  const dqm = dataOutput(choice.primary, era, processed, choice.version, 'DQMIO', choice.input);
  const input: InputPlan = {
    name: dqm.name,
    own: true,
    era,
    dataType: 'data',
    layout: dqm.layout,
    mask: choice.input.mask,
    createdAt: createdAt - rng.int(2, 30) * 86400,
  };
  return {
    ...dataCommon(
      rng,
      index,
      createdAt,
      { ...choice, input },
      `${era}_${choice.primary}_${ps}_DQMHarvest`,
    ),
    kind: 'dqmharvest',
    type: 'DQMHarvest',
    acquisitionEra: era,
    processingString: ps,
    chain: undefined,
    top: {
      InputDataset: input.name,
      LumiList: input.mask,
      DQMUploadUrl: 'https://cmsweb.cern.ch/dqm/offline',
      DQMHarvestUnit: 'byRun',
      DQMConfigCacheID: hexOf(32, 'dqm', index),
      Group: 'PPD',
    },
    outputs: [],
    nestOutputs: false,
  };
}
