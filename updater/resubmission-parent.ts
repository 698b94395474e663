/**
 * Which request a Resubmission (ACDC) takes its expected events and lumis from, among the
 * requests sharing its PrepID (docs/workflow-document.md#resubmission-parent): the one its
 * `OriginalRequestName` names, following a chain of Resubmissions; failing that, the first
 * non-Resubmission that has the value, as the original. A DQMHarvest request is never
 * taken.
 */
import type { ParentCandidate } from './lookups.js';

export type ParentField = 'TotalInputEvents' | 'TotalInputLumis';

export function parentValue(
  candidates: readonly ParentCandidate[],
  originalRequestName: string | null | undefined,
  field: ParentField,
): number | undefined {
  const named = namedParent(candidates, originalRequestName);
  if (named && isEligible(named) && named[field] !== null) return named[field];
  return (
    candidates.find((candidate) => isEligible(candidate) && candidate[field] !== null)?.[field] ??
    undefined
  );
}

/** The first non-Resubmission reached from `originalRequestName`, if the chain stays among the candidates. */
function namedParent(
  candidates: readonly ParentCandidate[],
  originalRequestName: string | null | undefined,
): ParentCandidate | undefined {
  const byName = new Map(candidates.map((candidate) => [candidate.RequestName, candidate]));
  const visited = new Set<string>();
  let name = originalRequestName;
  while (name && !visited.has(name)) {
    visited.add(name);
    const candidate = byName.get(name);
    if (candidate === undefined || !hasType(candidate, 'resubmission')) return candidate;
    name = candidate.OriginalRequestName;
  }
  return undefined;
}

function isEligible(candidate: ParentCandidate): boolean {
  return !hasType(candidate, 'resubmission') && !hasType(candidate, 'dqmharvest');
}

function hasType(candidate: ParentCandidate, lowerCaseType: string): boolean {
  return candidate.RequestType?.toLowerCase() === lowerCaseType;
}
