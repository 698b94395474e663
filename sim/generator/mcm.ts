/**
 * Monte Carlo requests from McM: chained TaskChain/StepChain requests (the current form)
 * and the legacy single-step MonteCarlo and ReqMgr1-era ReDigi/MonteCarloFromGEN ones.
 */
import { hexOf, type Rng } from '../prng.js';
import {
  LEGACY_MC_CAMPAIGNS,
  LEGACY_REDIGI_CAMPAIGNS,
  MCM_CHAINS,
  PWGS,
  UNKNOWN_TIERS,
  type McmCampaignChain,
} from '../vocabulary.js';
import {
  bytesPerEvent,
  datasetSeed,
  firstSubmission,
  mcLayout,
  mcPrimaryDataset,
  pdmvRequestor,
  requestName,
  serial,
  statusPath,
  yearOf,
} from './common.js';
import type { InputPlan, OutputPlan, WorkflowSpec } from './types.js';

const REQUEST_NUM_EVENTS = [20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 3_000_000];
const EVENTS_PER_LUMI = [100, 200, 500, 1000];
const SCRAM_ARCH = ['el8_amd64_gcc11'];

function mcOutput(
  primary: string,
  campaign: string,
  processingString: string,
  version: number,
  tier: string,
  events: number,
  eventsPerLumi: number,
): OutputPlan {
  const name = `/${primary}/${campaign}-${processingString}-v${version}/${tier}`;
  return {
    name,
    tier,
    era: campaign,
    version,
    dataType: 'mc',
    layout: mcLayout(
      datasetSeed(name),
      `/store/mc/${campaign}/${primary}/${tier}/${processingString}-v${version}`,
      events,
      eventsPerLumi,
      bytesPerEvent(tier),
    ),
    produced: true,
  };
}

function filterEfficiency(rng: Rng): number {
  return rng.chance(0.5) ? 1 : Math.round((0.01 + rng.next() * 0.98) * 10000) / 10000;
}

function pickChain(rng: Rng, createdAt: number): McmCampaignChain {
  const year = yearOf(createdAt);
  const eligible = MCM_CHAINS.filter((c) => c.since <= year);
  return eligible.length === 0 ? (MCM_CHAINS[0] as McmCampaignChain) : rng.pick(eligible.slice(-3));
}

/** An McM chained request: TaskChain (Task<N>, TaskName) or StepChain (Step<N>, StepName). */
export function mcmChain(
  rng: Rng,
  index: number,
  createdAt: number,
  key: 'TaskChain' | 'StepChain',
): WorkflowSpec {
  const chain = pickChain(rng, createdAt);
  const pwg = rng.pick(PWGS);
  const primary = mcPrimaryDataset(rng, chain.energy);
  const start = rng.chance(0.7) ? 0 : rng.int(1, chain.steps.length - 1);
  const steps = chain.steps.slice(
    start,
    start + rng.int(1, Math.min(4, chain.steps.length - start)),
  );
  const version = rng.weighted({ 1: 80, 2: 15, 3: 5 });
  const processingVersion = Number(version);
  // Extension samples reuse the primary dataset: `_ext<N>` keeps their datasets apart.
  const processingString = rng.chance(0.3)
    ? `${chain.processingString}_ext${rng.int(1, 5)}`
    : chain.processingString;
  const eff = start === 0 ? filterEfficiency(rng) : 1;
  const eventsPerLumi = rng.pick(EVENTS_PER_LUMI);
  const prepIds = steps.map((s) => `${pwg}-${s.campaign}-${serial(rng)}`);
  const nameKey = key === 'TaskChain' ? 'TaskName' : 'StepName';
  const inputKey = key === 'TaskChain' ? 'InputTask' : 'InputStep';

  let input: InputPlan | undefined;
  let requestNumEvents: number | undefined;
  let expectedEvents: number;
  if (start === 0) {
    // A few real requests lack RequestNumEvents (then Stats2 cannot know the expected events).
    requestNumEvents = rng.chance(0.01) ? undefined : rng.pick(REQUEST_NUM_EVENTS);
    expectedEvents = requestNumEvents ?? 100_000;
  } else {
    const previous = chain.steps[start - 1] as McmCampaignChain['steps'][number];
    const name = `/${primary}/${previous.campaign}-${processingString}-v1/${previous.tier}`;
    const inputEvents = rng.pick(REQUEST_NUM_EVENTS);
    input = {
      name,
      own: true,
      era: previous.campaign,
      dataType: 'mc',
      layout: mcLayout(
        datasetSeed(name),
        `/store/mc/${previous.campaign}/${primary}/${previous.tier}/${processingString}-v1`,
        inputEvents,
        eventsPerLumi,
        bytesPerEvent(previous.tier),
      ),
      mask: {},
      createdAt: createdAt - rng.int(5, 90) * 86400,
    };
    expectedEvents = inputEvents;
  }

  const tasks: Array<Record<string, unknown>> = [];
  const acquisitionEra: Record<string, string> = {};
  const processingStrings: Record<string, string> = {};
  const memory: Record<string, number> = {};
  const outputs: OutputPlan[] = [];
  let previousTask: { name: string; module: string } | undefined;
  steps.forEach((step, s) => {
    const prepId = prepIds[s] as string;
    const taskCount = key === 'StepChain' ? 1 : step.tasks;
    for (let t = 0; t < taskCount; t++) {
      const name = `${prepId}_${t}`;
      const kept = t === taskCount - 1;
      const task: Record<string, unknown> = {
        [nameKey]: name,
        PrepID: prepId,
        Campaign: step.campaign,
        AcquisitionEra: step.campaign,
        ProcessingString: processingString,
        ProcessingVersion: processingVersion,
        FilterEfficiency: tasks.length === 0 ? eff : 1,
        PrimaryDataset: primary,
        GlobalTag: processingString,
        CMSSWVersion: chain.cmssw,
        ScramArch: SCRAM_ARCH,
        Memory: rng.pick([2000, 4000, 8000, 15900]),
        Multicore: rng.pick([1, 4, 8]),
        TimePerEvent: Math.round(rng.next() * 300) / 10 + 0.1,
        SizePerEvent: rng.int(50, 3000),
        KeepOutput: kept,
        ConfigCacheID: hexOf(32, 'config', index, name),
      };
      if (tasks.length === 0) {
        if (input === undefined) {
          task.RequestNumEvents = requestNumEvents ?? null;
          task.EventsPerLumi = eventsPerLumi;
          task.Seeding = 'AutomaticSeeding';
          task.SplittingAlgo = 'EventBased';
        } else {
          task.InputDataset = input.name;
          task.SplittingAlgo = 'EventAwareLumiBased';
        }
      } else if (previousTask !== undefined) {
        task[inputKey] = previousTask.name;
        task.InputFromOutputModule = previousTask.module;
        task.SplittingAlgo = 'EventAwareLumiBased';
      }
      tasks.push(task);
      acquisitionEra[name] = step.campaign;
      processingStrings[name] = processingString;
      memory[name] = task.Memory as number;
      previousTask = { name, module: step.outputModule };
    }
    const output = (tier: string) =>
      mcOutput(
        primary,
        step.campaign,
        processingString,
        processingVersion,
        tier,
        expectedEvents,
        eventsPerLumi,
      );
    outputs.push(output(step.tier));
    if (step.tier === 'AODSIM' && rng.chance(0.05)) outputs.push(output(rng.pick(UNKNOWN_TIERS)));
  });

  const first = prepIds[0] as string;
  const requestString = `task_${first}__v1_T`;
  return {
    index,
    kind: key === 'TaskChain' ? 'mcm-taskchain' : 'mcm-stepchain',
    name: requestName('pdmvserv', requestString, createdAt, rng),
    requestString,
    ...pdmvRequestor(),
    type: key,
    prepId: `task_${first}`,
    campaign: steps[0]?.campaign ?? chain.steps[0]?.campaign ?? '',
    acquisitionEra,
    processingString: processingStrings,
    processingVersion,
    cmssw: chain.cmssw,
    globalTag: processingString,
    chain: { key, tasks },
    top: {
      SubRequestType: 'MC',
      Memory: rng.chance(0.5) ? memory : rng.pick([4000, 8000]),
      Group: 'PPD',
    },
    outputs,
    nestOutputs: false,
    input,
    path: statusPath(rng, createdAt),
    priority: rng.pick([63000, 85000, 110000, 200000]),
    sizePerEvent: rng.int(50, 3000),
    timePerEvent: Math.round(rng.next() * 300) / 10 + 0.1,
    requestNumEvents,
    filterEfficiency: eff,
    eventsPerLumi,
    ...firstSubmission(rng, createdAt),
  };
}

const LEGACY_PROCESSING_STRINGS: Readonly<Record<string, string>> = {
  RunIISummer15GS: 'MCRUN2_71_V1',
  RunIIWinter15wmLHE: 'MCRUN2_71_V1',
  RunIISummer16GS: 'MCRUN2_71_V1',
  RunIIFall17GS: '93X_mc2017_realistic_v3',
  RunIISpring15DR74: 'Asympt25ns_MCRUN2_74_V9',
  RunIIFall15DR76: 'PU25nsData2015v1_76X_mcRun2_asymptotic_v12',
  RunIISpring16DR80: 'PUSpring16_80X_mcRun2_asymptotic_2016_v3',
};

/** Legacy `MonteCarlo`: FilterEfficiency and RequestNumEvents at the top level. */
export function legacyMonteCarlo(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const campaign = rng.pick(LEGACY_MC_CAMPAIGNS);
  const processingString = LEGACY_PROCESSING_STRINGS[campaign] ?? 'MCRUN2_71_V1';
  const pwg = rng.pick(PWGS);
  const prepId = `${pwg}-${campaign}-${serial(rng)}`;
  const requestString = `${prepId}_${serial(rng)}_v0_`;
  const primary = mcPrimaryDataset(rng, '13TeV');
  const eff = filterEfficiency(rng);
  const requestNumEvents = rng.pick(REQUEST_NUM_EVENTS);
  const eventsPerLumi = rng.pick(EVENTS_PER_LUMI);
  return {
    index,
    kind: 'montecarlo',
    name: requestName('pdmvserv', requestString, createdAt, rng),
    requestString,
    ...pdmvRequestor(),
    type: 'MonteCarlo',
    prepId,
    campaign,
    acquisitionEra: campaign,
    processingString,
    processingVersion: 1,
    cmssw: 'CMSSW_7_1_25_patch2',
    globalTag: processingString,
    chain: undefined,
    top: {
      FilterEfficiency: eff,
      RequestNumEvents: requestNumEvents,
      PrimaryDataset: primary,
      EventsPerLumi: eventsPerLumi,
      SplittingAlgo: 'EventBased',
      Memory: 2300,
      Group: 'PPD',
    },
    outputs: [
      mcOutput(primary, campaign, processingString, 1, 'GEN-SIM', requestNumEvents, eventsPerLumi),
    ],
    nestOutputs: false,
    input: undefined,
    path: statusPath(rng, createdAt),
    priority: rng.pick([85000, 110000]),
    sizePerEvent: rng.int(200, 1500),
    timePerEvent: Math.round(rng.next() * 600) / 10 + 1,
    requestNumEvents,
    filterEfficiency: eff,
    eventsPerLumi,
    ...firstSubmission(rng, createdAt),
  };
}

/** ReqMgr1-era `ReDigi` / `MonteCarloFromGEN`: OutputDatasets is a list of lists. */
export function legacyRedigi(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const type = rng.pick(['ReDigi', 'MonteCarloFromGEN']);
  const campaign = rng.pick(LEGACY_REDIGI_CAMPAIGNS);
  const processingString = LEGACY_PROCESSING_STRINGS[campaign] ?? 'MCRUN2_74_V9';
  const pwg = rng.pick(PWGS);
  const prepId = `${pwg}-${campaign}-${serial(rng)}`;
  const requestString = `${prepId}_${serial(rng)}_v0_`;
  const primary = mcPrimaryDataset(rng, '13TeV');
  const eventsPerLumi = rng.pick(EVENTS_PER_LUMI);
  const inputEvents = rng.pick(REQUEST_NUM_EVENTS);
  const inputTier = type === 'ReDigi' ? 'GEN-SIM' : 'LHE';
  const inputCampaign = type === 'ReDigi' ? 'RunIISummer15GS' : 'RunIIWinter15wmLHE';
  const inputName = `/${primary}/${inputCampaign}-MCRUN2_71_V1-v1/${inputTier}`;
  const tiers = rng.chance(0.5) ? ['AODSIM', 'DQMIO'] : ['AODSIM', 'MINIAODSIM', 'DQMIO'];
  return {
    index,
    kind: 'legacy-redigi',
    name: requestName('pdmvserv', requestString, createdAt, rng),
    requestString,
    ...pdmvRequestor(),
    type,
    prepId,
    campaign,
    acquisitionEra: campaign,
    processingString,
    processingVersion: 1,
    cmssw: 'CMSSW_7_4_14',
    globalTag: processingString,
    chain: undefined,
    top: {
      InputDataset: inputName,
      FilterEfficiency: 1,
      SplittingAlgo: 'EventAwareLumiBased',
      Memory: 2300,
      Group: 'PPD',
    },
    outputs: tiers.map((tier) =>
      mcOutput(primary, campaign, processingString, 1, tier, inputEvents, eventsPerLumi),
    ),
    nestOutputs: true,
    input: {
      name: inputName,
      own: true,
      era: inputCampaign,
      dataType: 'mc',
      layout: mcLayout(
        datasetSeed(inputName),
        `/store/mc/${inputCampaign}/${primary}/${inputTier}/MCRUN2_71_V1-v1`,
        inputEvents,
        eventsPerLumi,
        bytesPerEvent(inputTier),
      ),
      mask: {},
      createdAt: createdAt - rng.int(10, 120) * 86400,
    },
    path: statusPath(rng, createdAt),
    priority: rng.pick([85000, 110000]),
    sizePerEvent: rng.int(200, 1500),
    timePerEvent: Math.round(rng.next() * 600) / 10 + 1,
    requestNumEvents: undefined,
    filterEfficiency: 1,
    eventsPerLumi,
    ...firstSubmission(rng, createdAt),
  };
}
