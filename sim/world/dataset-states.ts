/**
 * What DBS shows for a dataset at simulated time `now`, derived from the producing
 * workflow's status history (docs/upstreams.md#dataset-access-types-over-time): created
 * when the workflow starts running, PRODUCTION while it writes, growing file by file, VALID
 * once announced, INVALID when aborted or rejected. `last_modification_date` moves only
 * when the record changes (creation, access type), not when files are added.
 */
import {
  countLayoutFiles,
  layoutFiles,
  type AccessType,
  type DatasetState,
  type DbsFile,
} from '../dbs-content.js';
import type { InputPlan, OutputPlan, WorkflowSpec } from '../generator/types.js';
import { hashOf } from '../prng.js';
import { outputComplete, writesOutput } from '../statuses.js';
import { DN_WMAGENT } from '../vocabulary.js';

export interface StatusHistory {
  statuses: readonly string[];
  times: readonly number[];
}

const THREE_YEARS = 3 * 365 * 86400;

export function datasetId(name: string): number {
  return 10_000_000 + (hashOf('dataset-id', name) % 10_000_000);
}

export function producedDatasetState(
  spec: WorkflowSpec,
  output: OutputPlan,
  history: StatusHistory,
  now: number,
  seed: number,
): DatasetState | undefined {
  const injectedIndex = history.statuses.findIndex(writesOutput);
  if (injectedIndex < 0) return undefined;
  // Some outputs never reach DBS (failed injection, output module dropped...).
  if (hashOf(seed, 'never-injected', output.name) % 33 === 0) return undefined;
  const injectedAt = history.times[injectedIndex] ?? spec.createdAt;
  let accessType: AccessType = 'PRODUCTION';
  let lastModified = injectedAt;
  let complete = false;
  let stoppedAt: number | undefined;
  for (let i = injectedIndex; i < history.statuses.length; i++) {
    const status = history.statuses[i] as string;
    const time = history.times[i] ?? injectedAt;
    if (outputComplete(status)) complete = true;
    if ((status === 'announced' || status === 'normal-archived') && accessType === 'PRODUCTION') {
      accessType = 'VALID';
      lastModified = time;
    } else if (
      (status.startsWith('aborted') || status.startsWith('rejected')) &&
      accessType !== 'INVALID'
    ) {
      accessType = 'INVALID';
      lastModified = time;
      if (!complete) stoppedAt ??= time;
    }
  }
  const current = history.statuses[history.statuses.length - 1];
  if (
    accessType === 'VALID' &&
    current === 'normal-archived' &&
    spec.createdAt < now - THREE_YEARS
  ) {
    const decay = hashOf(seed, 'decay', output.name) % 10;
    const decayed: AccessType | undefined =
      decay === 0 ? 'DEPRECATED' : decay === 1 ? 'DELETED' : decay === 2 ? 'INVALID' : undefined;
    if (decayed !== undefined) {
      accessType = decayed;
      lastModified = history.times[history.times.length - 1] ?? lastModified;
    }
  }
  const total = countLayoutFiles(output.layout);
  let visible = total;
  if (!complete) {
    const runDuration = (1 + (hashOf('duration', output.name) % 7)) * 86400;
    const elapsed = (stoppedAt ?? now) - injectedAt;
    visible = Math.min(total, Math.max(1, 1 + Math.floor((total * elapsed) / runDuration)));
  }
  return {
    name: output.name,
    accessType,
    dataType: output.dataType,
    createdAt: injectedAt,
    lastModified,
    prepId: spec.prepId,
    acquisitionEra: output.era,
    processingVersion: output.version,
    physicsGroup: 'NoGroup',
    createdBy: DN_WMAGENT,
    datasetId: datasetId(output.name),
    files: (): DbsFile[] => layoutFiles(output.layout, injectedAt, visible),
  };
}

/** An input dataset: complete and VALID since long before the workflow reads it. */
export function inputDatasetState(input: InputPlan): DatasetState {
  return {
    name: input.name,
    accessType: 'VALID',
    dataType: input.dataType,
    createdAt: input.createdAt,
    lastModified: input.createdAt,
    prepId: null,
    acquisitionEra: input.era,
    processingVersion: 1,
    physicsGroup: 'NoGroup',
    createdBy: DN_WMAGENT,
    datasetId: datasetId(input.name),
    files: (): DbsFile[] => layoutFiles(input.layout, input.createdAt),
  };
}
