/**
 * Stored workflow documents for the website and deploy benchmarks, shaped like what the
 * updater writes (docs/workflow-document.md#fields, docs/event-history.md#entries) and
 * deterministic in their number: a realistic RequestName, PrepID, campaigns, three output
 * datasets, status transitions and `historyEntries` history entries (about 7 KB of JSON
 * with 10 entries); a quarter read an input dataset. Workflows are spread over a fixed
 * number of campaigns (a filtered list page spans several pages) and over processing
 * strings of ~100 workflows each (what `api/fetch` returns: a page of full documents).
 */
import type { StoredWorkflow } from '../../workflow/documents.js';
import { STATUS_PATHS } from '../../sim/statuses.js';

/** Moves whenever the generated workflows change: kept databases (BENCH_KEEP_DATA) of another revision are not reused. */
export const GENERATOR_REVISION = 2;
const CAMPAIGNS = 40;
const WORKFLOWS_PER_PROCESSING_STRING = 100;
const GROUPS = ['HIG', 'EXO', 'SMP', 'TOP', 'BPH', 'SUS', 'BTV', 'EGM'];
const ERAS = [
  'Run3Summer22',
  'Run3Summer22EE',
  'Run3Summer23',
  'Run3Summer23BPix',
  'RunIII2024Summer24',
];
const STEPS = [
  { suffix: 'GS', tier: 'GEN-SIM' },
  { suffix: 'DRPremix', tier: 'AODSIM' },
  { suffix: 'MiniAODv4', tier: 'MINIAODSIM' },
];
/** A workflow's life up to `completed`. */
const STATUSES = STATUS_PATHS.happy.slice(0, STATUS_PATHS.happy.indexOf('completed') + 1);

export function campaignOf(i: number): string {
  const era = ERAS[i % ERAS.length] as string;
  return `${era}wmLHE${STEPS[0]?.suffix}${String(Math.floor((i % CAMPAIGNS) / ERAS.length)).padStart(2, '0')}`;
}

export function processingStringOf(i: number): string {
  return `140X_mcRun3_2024_realistic_v${String(Math.floor(i / WORKFLOWS_PER_PROCESSING_STRING)).padStart(5, '0')}`;
}

export function workflowNameOf(i: number): string {
  const serial = String(i).padStart(7, '0');
  const day = new Date(Date.UTC(2024, 0, 1) + (i % 540) * 86_400_000);
  const date = day.toISOString().slice(2, 10).replace(/-/g, '');
  const time = String((i * 7919) % 240000).padStart(6, '0');
  return `pdmvserv_task_${prepIdOf(i)}__v1_T_${date}_${time}_${serial.slice(-4)}`;
}

/**
 * An McM PrepID: PWG, campaign, a 5-digit serial (what the dashboards' PWG breakdowns read).
 * Workflows 100,000 apart share one; their names still differ by date up to 2,700,000.
 */
function prepIdOf(i: number): string {
  return `${GROUPS[i % GROUPS.length]}-${campaignOf(i)}-${String(i % 100_000).padStart(5, '0')}`;
}

export function storedWorkflow(i: number, now: number, historyEntries: number): StoredWorkflow {
  const name = workflowNameOf(i);
  const campaign = campaignOf(i);
  const era = ERAS[i % ERAS.length] as string;
  const primary = `/BenchSample${GROUPS[i % GROUPS.length]}_${String(i).padStart(7, '0')}_TuneCP5_13p6TeV-madgraph-pythia8`;
  const processingString = processingStringOf(i);
  const outputs = STEPS.map(
    (step) => `${primary}/${era}${step.suffix}-${processingString}-v${1 + (i % 3)}/${step.tier}`,
  );
  const total = 50_000 + (i % 97) * 10_000;
  const created = now - 40 * 86_400 + (i % 86_400);
  const statuses = STATUSES.slice(0, 4 + (i % (STATUSES.length - 3)));
  const history = Array.from({ length: historyEntries }, (_, h) => ({
    Time: created + (h + 1) * 3 * 86_400,
    Datasets: Object.fromEntries(
      outputs.map((dataset, d) => {
        const events = Math.floor((total * (h + 1)) / historyEntries / (d + 1));
        return [
          dataset,
          {
            Type: h === historyEntries - 1 && d === 0 ? 'VALID' : 'PRODUCTION',
            Events: events,
            Size: events * (1_200_000 - d * 400_000),
          },
        ];
      }),
    ),
  }));
  return {
    _id: name,
    RequestName: name,
    RequestType: i % 4 === 0 ? 'StepChain' : 'TaskChain',
    RequestPriority: 80_000 + (i % 7) * 10_000,
    RequestTransition: statuses.map((Status, s) => ({ Status, UpdateTime: created + s * 43_200 })),
    PrepID: `task_${prepIdOf(i)}`,
    AcquisitionEra: `${era}GS`,
    CMSSWVersion: 'CMSSW_14_0_19',
    ...(i % 4 === 1
      ? {
          InputDataset: `/BenchInput${GROUPS[i % GROUPS.length]}_${String(i % 1000).padStart(4, '0')}/${era}-v1/GEN-SIM`,
        }
      : {}),
    OutputDatasets: outputs,
    ProcessingString: processingString,
    SizePerEvent: 1500 + (i % 500),
    TimePerEvent: 10 + (i % 40) / 4,
    Campaigns: STEPS.map((step) => campaign.replace(/GS(\d+)$/, `${step.suffix}$1`)),
    Requests: [prepIdOf(i)],
    TotalEvents: total,
    TotalInputLumis: -1,
    EventNumberHistory: history,
    LastUpdate: now - (i % 7200),
  };
}

/** The document with one more history entry: every output 10 % larger, an hour later. */
export function grownWorkflow(doc: StoredWorkflow, now: number): StoredWorkflow {
  const history = doc.EventNumberHistory ?? [];
  const latest = history[history.length - 1];
  const datasets = Object.fromEntries(
    Object.entries(latest?.Datasets ?? {}).map(([name, numbers]) => [
      name,
      { ...numbers, Events: Math.round(numbers.Events * 1.1) + 1 },
    ]),
  );
  return {
    ...doc,
    EventNumberHistory: [
      ...history,
      { Time: Math.max(now, latest?.Time ?? 0) + 3600, Datasets: datasets },
    ],
    LastUpdate: now,
  };
}
