/**
 * RelVal requests from the RelVal machine: TaskChains named `RV<release><sample>__<suffix>`
 * with PrepIDs `<release>__<batch>-<sample>-<NNNNN>` (docs/upstreams.md#names-and-prepids).
 */
import { hexOf, type Rng } from '../prng.js';
import { DATA_ERAS, RELVAL_BATCHES, RELVAL_MC_SAMPLES, type DataEra } from '../vocabulary.js';
import {
  bytesPerEvent,
  datasetSeed,
  firstSubmission,
  mcLayout,
  pdmvRequestor,
  releaseOf,
  requestName,
  serial,
  statusPath,
} from './common.js';
import { chooseMask, dataOutput, rawDataset } from './rereco.js';
import type { InputPlan, OutputPlan, WorkflowSpec } from './types.js';

const DATA_RELVAL_PRIMARIES = ['DoubleMuon', 'JetHT', 'MET', 'EGamma'];

/** CMSSW_14_1_0_pre5 → 141X. */
function releaseSeries(release: string): string {
  const [, major = '0', minor = '0'] = release.split('_');
  return `${major}${minor}X`;
}

interface TaskOutputs {
  task: string;
  tiers: string[];
}

export function relval(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const release = releaseOf(rng, createdAt);
  const batch = rng.pick(RELVAL_BATCHES);
  const isData = batch.startsWith('data');
  // Re-runs of the same sample in the same release get the next version.
  const version = Number(rng.weighted({ 1: 70, 2: 20, 3: 7, 4: 3 }));
  const eventsPerLumi = 100;
  let primary: string;
  let sampleName: string;
  let processingString: string;
  let input: InputPlan | undefined;
  let taskPlan: TaskOutputs[];
  let requestNumEvents: number | undefined;
  if (isData) {
    const era = rng.pick(DATA_ERAS.filter((e) => e.year === 2018)) as DataEra;
    primary = rng.pick(DATA_RELVAL_PRIMARIES);
    sampleName = `Run${primary}${era.era.slice(3)}`;
    processingString = `${releaseSeries(release)}_dataRun2_v2_RelVal_${era.era.slice(3)}`;
    const raw = rawDataset(era, primary);
    const firstRun = raw.layout.runs[0];
    input = { ...raw, mask: firstRun === undefined ? {} : chooseMask(rng, [firstRun]) };
    taskPlan = [
      { task: `RECODR2_${era.era.slice(3)}reHLT_Prompt`, tiers: ['RECO', 'MINIAOD', 'DQMIO'] },
      { task: `NANOEDM_${era.era.slice(3)}`, tiers: ['NANOAOD'] },
    ];
  } else {
    sampleName = rng.pick(RELVAL_MC_SAMPLES);
    primary = `RelVal${sampleName}`;
    const pileup = batch.includes('noPU') ? 'noPU' : 'PU';
    processingString = `${releaseSeries(release)}_mcRun3_2024_realistic_v4_STD_2024_${pileup}`;
    requestNumEvents = rng.pick([9000, 10000, 50000]);
    taskPlan = [
      { task: `GenSimFull`, tiers: ['GEN-SIM'] },
      { task: `DigiFull_2024${pileup}`, tiers: [] },
      { task: `RecoFull_2024${pileup}`, tiers: ['GEN-SIM-RECO', 'MINIAODSIM', 'DQMIO'] },
      { task: `NanoFull_2024${pileup}`, tiers: ['NANOAODSIM'] },
    ];
  }
  const requestString =
    `RV${release}${sampleName}__${processingString.split('_').slice(-3).join('_')}`.slice(0, 72);
  const campaign = `${release}__${batch}-${createdAt - (createdAt % 3600)}`;
  const processed = `${release}-${processingString}-v${version}`;
  const outputs: OutputPlan[] = [];
  const tasks: Array<Record<string, unknown>> = [];
  taskPlan.forEach(({ task, tiers }, i) => {
    const dict: Record<string, unknown> = {
      TaskName: task,
      AcquisitionEra: release,
      ProcessingString: processingString,
      Campaign: campaign,
      GlobalTag: processingString.split('_').slice(0, 4).join('_'),
      CMSSWVersion: release,
      KeepOutput: tiers.length > 0,
      Memory: 3000,
      ConfigCacheID: hexOf(32, 'config', index, i),
    };
    if (i === 0) {
      if (input !== undefined) {
        dict.InputDataset = input.name;
        dict.LumiList = input.mask;
        dict.SplittingAlgo = 'LumiBased';
      } else {
        dict.RequestNumEvents = requestNumEvents;
        dict.EventsPerLumi = eventsPerLumi;
        dict.FilterEfficiency = 1;
        dict.SplittingAlgo = 'EventBased';
      }
    } else {
      dict.InputTask = taskPlan[i - 1]?.task;
      dict.InputFromOutputModule = 'RAWSIMoutput';
    }
    tasks.push(dict);
    for (const tier of tiers) {
      if (input !== undefined) {
        outputs.push(dataOutput(primary, release, processed, version, tier, input));
      } else {
        const name = `/${primary}/${processed}/${tier}`;
        outputs.push({
          name,
          tier,
          era: release,
          version,
          dataType: 'mc',
          layout: mcLayout(
            datasetSeed(name),
            `/store/relval/${release}/${primary}/${tier}/${processingString}-v${version}`,
            requestNumEvents ?? 9000,
            eventsPerLumi,
            bytesPerEvent(tier),
          ),
          produced: true,
        });
      }
    }
  });
  const byTask = (value: string): Record<string, string> =>
    Object.fromEntries(taskPlan.map(({ task }) => [task, value]));
  return {
    index,
    kind: 'relval',
    name: requestName('pdmvserv', requestString, createdAt, rng),
    requestString,
    ...pdmvRequestor(),
    type: 'TaskChain',
    prepId: `${release}__${batch}-${sampleName}-${serial(rng)}`,
    campaign,
    acquisitionEra: byTask(release),
    processingString: byTask(processingString),
    processingVersion: version,
    cmssw: release,
    globalTag: processingString.split('_').slice(0, 4).join('_'),
    chain: { key: 'TaskChain', tasks },
    top: { SubRequestType: 'RelVal', Memory: 3000, Group: 'PPD' },
    outputs,
    nestOutputs: false,
    input,
    path: statusPath(rng, createdAt),
    priority: 500000,
    sizePerEvent: rng.int(500, 2000),
    timePerEvent: rng.int(5, 60),
    requestNumEvents,
    filterEfficiency: 1,
    eventsPerLumi: input?.layout.eventsPerLumi ?? eventsPerLumi,
    ...firstSubmission(rng, createdAt),
  };
}
