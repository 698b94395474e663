/**
 * Resubmission (ACDC) requests by Unified: they clone their parent's PrepID, Task/Step
 * dictionaries and per-task dicts, and write into a subset of the parent's datasets.
 */
import type { Rng } from '../prng.js';
import { DN_UNIFIED } from '../vocabulary.js';
import { dnStyle, requestName, statusPath } from './common.js';
import type { WorkflowSpec } from './types.js';

/** Request kinds Unified resubmits. */
export const RESUBMITTABLE: ReadonlySet<WorkflowSpec['kind']> = new Set([
  'mcm-taskchain',
  'mcm-stepchain',
  'rereco',
  'rereco-taskchain',
  'resubmission',
]);
export const MAX_RESUBMISSIONS = 3;

function taskNames(parent: WorkflowSpec): string[] {
  if (parent.chain === undefined) return ['DataProcessing'];
  const nameKey = parent.chain.key === 'TaskChain' ? 'TaskName' : 'StepName';
  return parent.chain.tasks.map((task) => String(task[nameKey]));
}

/**
 * @param parentIndex the parent's index in the world, undefined when the parent was made
 *   up for an ACDC whose original request is not in the world.
 */
export function resubmission(
  rng: Rng,
  index: number,
  createdAt: number,
  parent: WorkflowSpec,
  parentIndex: number | undefined,
): WorkflowSpec {
  const count = parent.resubmissionCount + 1;
  const base = parent.requestString.replace(/^ACDC\d+_/, '');
  const requestString = `ACDC${count - 1}_${base}`;
  const task = rng.pick(taskNames(parent));
  const initialTaskPath =
    typeof parent.top.InitialTaskPath === 'string'
      ? parent.top.InitialTaskPath
      : `/${parent.name}/${task}`;
  const firstOutput = parent.outputs.length === 0 ? 0 : rng.int(0, parent.outputs.length - 1);
  const outputs = parent.outputs
    .slice(firstOutput)
    .map((output) => ({ ...output, produced: false }));
  const { InputDataset, LumiList, SubRequestType, Memory } = parent.top;
  return {
    ...parent,
    index,
    kind: parentIndex === undefined ? 'resubmission-orphan' : 'resubmission',
    name: requestName('cmsunified', requestString, createdAt, rng),
    requestString,
    requestor: 'cmsunified',
    requestorDn: DN_UNIFIED,
    type: 'Resubmission',
    top: {
      ...(InputDataset === undefined ? {} : { InputDataset }),
      ...(LumiList === undefined ? {} : { LumiList }),
      ...(SubRequestType === undefined ? {} : { SubRequestType }),
      Memory: Memory ?? 4000,
      OriginalRequestName: parent.name,
      OriginalRequestType: parent.type,
      InitialTaskPath: initialTaskPath,
      ACDCServer: 'https://cmsweb.cern.ch/couchdb',
      ACDCDatabase: 'acdcserver',
      CollectionName: parent.name,
      ResubmissionCount: count,
      IgnoredOutputModules: [],
      Group: 'DATAOPS',
    },
    outputs,
    path: statusPath(rng, createdAt),
    priority: parent.priority + 10000,
    parent: { index: parentIndex, name: parent.name, type: parent.type },
    resubmissionCount: count,
    createdAt,
    dnStyle: dnStyle(rng),
  };
}
