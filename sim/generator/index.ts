/**
 * The workflow generator: (seed, index, creation time) → a `WorkflowSpec`. The kind mix
 * depends on the creation date: legacy request types only in old documents.
 */
import { Rng } from '../prng.js';
import { dqmHarvest, rereco, rerecoTaskChain } from './rereco.js';
import { legacyMonteCarlo, legacyRedigi, mcmChain } from './mcm.js';
import { relval } from './relval.js';
import { MAX_RESUBMISSIONS, RESUBMITTABLE, resubmission } from './resubmission.js';
import type { SpecSource, WorkflowKind, WorkflowSpec } from './types.js';
import { validation } from './validation.js';

export type { WorkflowKind, WorkflowSpec, SpecSource } from './types.js';

const REQMGR1_ERA_END = Date.UTC(2017, 0, 1) / 1000;
const LEGACY_TYPES_END = Date.UTC(2019, 1, 14) / 1000;

type GeneratedKind = Exclude<WorkflowKind, 'resubmission-orphan'>;

function kindWeights(createdAt: number): Partial<Record<GeneratedKind, number>> {
  if (createdAt < REQMGR1_ERA_END)
    return { montecarlo: 4, 'legacy-redigi': 4, rereco: 2, resubmission: 1, dqmharvest: 1 };
  if (createdAt < LEGACY_TYPES_END) {
    return {
      montecarlo: 3,
      'legacy-redigi': 1,
      'mcm-taskchain': 4,
      rereco: 2,
      validation: 1,
      dqmharvest: 1,
      resubmission: 1.5,
    };
  }
  return {
    'mcm-taskchain': 30,
    'mcm-stepchain': 12,
    rereco: 9,
    'rereco-taskchain': 3,
    relval: 12,
    dqmharvest: 4,
    validation: 5,
    resubmission: 12,
  };
}

export function generateSpec(source: SpecSource, index: number, createdAt: number): WorkflowSpec {
  const rng = Rng.of(source.seed, 'workflow', index);
  const weights = kindWeights(createdAt) as Record<GeneratedKind, number>;
  const kind = rng.weighted(weights);
  switch (kind) {
    case 'mcm-taskchain':
      return mcmChain(rng, index, createdAt, 'TaskChain');
    case 'mcm-stepchain':
      return mcmChain(rng, index, createdAt, 'StepChain');
    case 'montecarlo':
      return legacyMonteCarlo(rng, index, createdAt);
    case 'legacy-redigi':
      return legacyRedigi(rng, index, createdAt);
    case 'rereco':
      return rereco(rng, index, createdAt);
    case 'rereco-taskchain':
      return rerecoTaskChain(rng, index, createdAt);
    case 'relval':
      return relval(rng, index, createdAt);
    case 'dqmharvest':
      return dqmHarvest(rng, index, createdAt);
    case 'validation':
      return validation(rng, index, createdAt);
    case 'resubmission':
      return resubmissionOf(source, rng, index, createdAt);
  }
}

/**
 * An ACDC of the previous workflow when Unified would resubmit it; otherwise an ACDC
 * whose original request is not in the world (made up here, never findable).
 */
function resubmissionOf(
  source: SpecSource,
  rng: Rng,
  index: number,
  createdAt: number,
): WorkflowSpec {
  const previous = index > 0 ? source.spec(index - 1) : undefined;
  if (
    previous !== undefined &&
    RESUBMITTABLE.has(previous.kind) &&
    previous.resubmissionCount < MAX_RESUBMISSIONS
  ) {
    return resubmission(rng, index, createdAt, previous, index - 1);
  }
  const madeUp = mcmChain(
    Rng.of(source.seed, 'missing-parent', index),
    -1,
    createdAt - rng.int(3, 30) * 86400,
    'TaskChain',
  );
  return resubmission(rng, index, createdAt, madeUp, undefined);
}
