/**
 * Operator validation requests (WMAgent release tests): TaskChain/StepChain with a
 * `null` PrepID (or a free-text one), test eras and sometimes a data tier Stats2 does not
 * know.
 */
import { hexOf, type Rng } from '../prng.js';
import { UNKNOWN_TIERS, VALIDATION_REQUESTORS } from '../vocabulary.js';
import {
  bytesPerEvent,
  datasetSeed,
  firstSubmission,
  mcLayout,
  requestName,
  statusPath,
} from './common.js';
import type { OutputPlan, WorkflowSpec } from './types.js';

const PRIMARIES = [
  'MinBias_TuneCP5_13TeV-pythia8',
  'TTbar_13TeV_TuneCUETP8M1_pythia8',
  'RelValProdMinBias',
];

export function validation(rng: Rng, index: number, createdAt: number): WorkflowSpec {
  const requestor = rng.pick(VALIDATION_REQUESTORS);
  const key = rng.chance(0.7) ? 'TaskChain' : 'StepChain';
  const agent = `Agent${rng.int(200, 260)}`;
  const requestString = `${key === 'TaskChain' ? 'TC' : 'SC'}_${agent}_Val`;
  const primary = rng.pick(PRIMARIES);
  const era = 'DMWM_Test';
  const version = rng.int(1, 999);
  const processed = `${era}-${requestString}-v${version}`;
  const requestNumEvents = rng.int(10, 20) * 1000;
  const eventsPerLumi = 100;
  const nameKey = key === 'TaskChain' ? 'TaskName' : 'StepName';
  const inputKey = key === 'TaskChain' ? 'InputTask' : 'InputStep';
  const plan = [
    { name: 'GENSIM', tiers: ['GEN-SIM'] },
    { name: 'DIGI', tiers: [] as string[] },
    {
      name: 'RECO',
      tiers: rng.chance(0.5) ? ['AODSIM', rng.pick(UNKNOWN_TIERS)] : ['AODSIM', 'DQMIO'],
    },
  ];
  const d = new Date(createdAt * 1000);
  const campaign = `HG${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}_Val`;
  const tasks = plan.map(({ name, tiers }, i) => ({
    [nameKey]: name,
    ...(i === 0
      ? {
          RequestNumEvents: requestNumEvents,
          EventsPerLumi: eventsPerLumi,
          FilterEfficiency: 1,
          Seeding: 'AutomaticSeeding',
        }
      : { [inputKey]: plan[i - 1]?.name, InputFromOutputModule: 'RAWSIMoutput' }),
    AcquisitionEra: era,
    ProcessingString: requestString,
    Campaign: campaign,
    KeepOutput: tiers.length > 0,
    ConfigCacheID: hexOf(32, 'config', index, i),
  }));
  const outputs: OutputPlan[] = plan.flatMap(({ tiers }) =>
    tiers.map((tier) => {
      const name = `/${primary}/${processed}/${tier}`;
      return {
        name,
        tier,
        era,
        version,
        dataType: 'mc' as const,
        layout: mcLayout(
          datasetSeed(name),
          `/store/backfill/1/${era}/${primary}/${tier}/${requestString}-v${version}`,
          requestNumEvents,
          eventsPerLumi,
          bytesPerEvent(tier),
        ),
        produced: true,
      };
    }),
  );
  const byTask = (value: string): Record<string, string> =>
    Object.fromEntries(plan.map(({ name }) => [name, value]));
  return {
    index,
    kind: 'validation',
    name: requestName(requestor, requestString, createdAt, rng),
    requestString,
    requestor,
    requestorDn: `/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=${requestor}/CN=${rng.int(100000, 999999)}/CN=${requestor}`,
    type: key,
    prepId: rng.chance(0.75) ? null : `TEST-${agent}-Validation-${requestString}`,
    campaign,
    acquisitionEra: byTask(era),
    processingString: byTask(requestString),
    processingVersion: version,
    cmssw: 'CMSSW_13_0_17',
    globalTag: '130X_mcRun3_2023_realistic_v14',
    chain: { key, tasks },
    top: { SubRequestType: 'MC', Memory: 3000, Group: 'DATAOPS' },
    outputs,
    nestOutputs: false,
    input: undefined,
    path: statusPath(rng, createdAt),
    priority: 999999,
    sizePerEvent: 1234,
    timePerEvent: 144,
    requestNumEvents,
    filterEfficiency: 1,
    eventsPerLumi,
    ...firstSubmission(rng, createdAt),
  };
}
