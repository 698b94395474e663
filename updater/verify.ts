/**
 * The parity check of `--action verify`, as plain functions: how a stored workflow compares
 * with what the updater would build from the upstream now
 * (docs/workflow-document.md#fields), and the rules beside the document itself — a workflow
 * ReqMgr2 no longer has is not stored here, and one WMStats lists as active has a history
 * (docs/update-run.md#verify).
 */
import type { StoredWorkflow } from '../workflow/documents.js';
import { plural } from '../lib/plural.js';
import { canonicalJson, sameJson } from './canonical-json.js';
import type { BuiltWorkflowDocument } from './workflow-document.js';

/** What the upstream says about a workflow now. */
export type UpstreamView =
  | { kind: 'rebuilt'; document: BuiltWorkflowDocument }
  /** ReqMgr2 has no such request (any more). */
  | { kind: 'gone' }
  /** The upstream failed, or answered with something no document can be built from. */
  | { kind: 'failed'; reason: string };

export interface WorkflowVerdict {
  name: string;
  /** How the stored workflow departs from the upstream; empty when it is as it should be. */
  problems: string[];
  /** Why the stored document could not be compared with the upstream's. */
  unverified?: string;
}

export interface FieldDifference {
  field: string;
  /** `undefined`: the field is absent. */
  stored: unknown;
  rebuilt: unknown;
}

/**
 * Not compared: the history follows DBS and has its own rule; `_rev` and `LastUpdate`
 * belong to the write. The updater writes a document exactly when another field differs.
 */
const NOT_COMPARED = new Set(['_rev', 'LastUpdate', 'EventNumberHistory']);

/** The fields in which `stored` differs from `rebuilt`, in the rebuilt document's field order. */
export function documentDifferences(
  stored: StoredWorkflow,
  rebuilt: BuiltWorkflowDocument,
): FieldDifference[] {
  const storedFields = stored as Record<string, unknown>;
  const rebuiltFields = rebuilt as Record<string, unknown>;
  const fields = new Set([...Object.keys(rebuiltFields), ...Object.keys(storedFields)]);
  return [...fields]
    .filter((field) => !NOT_COMPARED.has(field))
    .filter((field) => !sameJson(storedFields[field], rebuiltFields[field]))
    .map((field) => ({ field, stored: storedFields[field], rebuilt: rebuiltFields[field] }));
}

/**
 * Judges one workflow. `stored` is undefined when it is not stored here; `active` is
 * undefined when WMStats' list of active workflows could not be read.
 */
export function judgeWorkflow(
  name: string,
  stored: StoredWorkflow | undefined,
  upstream: UpstreamView,
  active: boolean | undefined,
): WorkflowVerdict {
  const verdict: WorkflowVerdict = { name, problems: [] };
  if (upstream.kind === 'failed') verdict.unverified = upstream.reason;
  else if (upstream.kind === 'gone') {
    if (stored) verdict.problems.push('deleted in ReqMgr2, still stored here');
  } else if (!stored) verdict.problems.push('in ReqMgr2, not stored here');
  else {
    for (const difference of documentDifferences(stored, upstream.document)) {
      verdict.problems.push(describeDifference(difference));
    }
  }
  if (active === true && stored && (stored.EventNumberHistory ?? []).length === 0) {
    verdict.problems.push('active in WMStats, but has no history');
  }
  return verdict;
}

/** `field: stored X, upstream Y`, narrowed to the first differing entry of a long list or object. */
export function describeDifference({ field, stored, rebuilt }: FieldDifference): string {
  const narrowed = firstDifference(field, stored, rebuilt);
  return `${narrowed.path}: stored ${shortValue(narrowed.stored)}, upstream ${shortValue(narrowed.rebuilt)}`;
}

const SHORT_LENGTH = 60;

/** A value in a few words: its JSON when short, else how many entries it has, or its start. */
export function shortValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const json = canonicalJson(value);
  if (json.length <= SHORT_LENGTH) return json;
  if (Array.isArray(value)) return `[${plural(value.length, 'entry', 'entries')}]`;
  if (isPlainObject(value)) return `{${plural(Object.keys(value).length, 'field')}}`;
  return `${json.slice(0, SHORT_LENGTH - 1)}…`;
}

function firstDifference(
  path: string,
  stored: unknown,
  rebuilt: unknown,
): { path: string; stored: unknown; rebuilt: unknown } {
  const short = (value: unknown) =>
    value === undefined || canonicalJson(value).length <= SHORT_LENGTH;
  if (!short(stored) || !short(rebuilt)) {
    if (Array.isArray(stored) && Array.isArray(rebuilt)) {
      const length = Math.max(stored.length, rebuilt.length);
      for (let i = 0; i < length; i++) {
        if (!sameJson(stored[i], rebuilt[i]))
          return firstDifference(`${path}[${i}]`, stored[i], rebuilt[i]);
      }
    }
    if (isPlainObject(stored) && isPlainObject(rebuilt)) {
      for (const key of [...new Set([...Object.keys(stored), ...Object.keys(rebuilt)])].sort()) {
        if (!sameJson(stored[key], rebuilt[key]))
          return firstDifference(`${path}.${key}`, stored[key], rebuilt[key]);
      }
    }
  }
  return { path, stored, rebuilt };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
