/**
 * The workflow document Stats2 stores, built from a ReqMgr2 request document
 * (docs/workflow-document.md#fields). Two phases keep I/O at the edges: `documentLookups`
 * says which upstream facts the build needs, `buildWorkflowDocument` builds from their
 * answers.
 */
import type { StoredWorkflow, WorkflowDocument } from '../workflow/documents.js';
import { sameJson } from './canonical-json.js';
import { flattenDatasets, sortDatasetsByTier } from './dataset-order.js';
import { expectedTotals, totalsLookups } from './expected-totals.js';
import type { Lookup, LookupAnswers } from './lookups.js';
import type { ReqMgrDocument } from './reqmgr-document.js';

/** What the build produces: everything but what the write itself sets. */
export type BuiltWorkflowDocument = Omit<WorkflowDocument, '_rev' | 'LastUpdate'>;

export interface BuiltWorkflow {
  document: BuiltWorkflowDocument;
  /** Values that could not be found (stored as −1): for the log, not failures. */
  warnings: string[];
}

/** The upstream look-ups `buildWorkflowDocument` needs for this document (at most one). */
export function documentLookups(doc: ReqMgrDocument): Lookup[] {
  return totalsLookups(doc);
}

/**
 * Throws LookupFailedError when an answer it needs is an upstream failure, and
 * LookupMissingError when one was not given: nothing is built from missing facts.
 */
export function buildWorkflowDocument(
  doc: ReqMgrDocument,
  answers: LookupAnswers,
  stored?: StoredWorkflow,
): BuiltWorkflow {
  const { TotalEvents, TotalInputLumis, warnings } = expectedTotals(doc, answers);
  const processingString =
    doc.Task1?.ProcessingString ?? doc.Step1?.ProcessingString ?? doc.ProcessingString;
  const document: BuiltWorkflowDocument = {
    _id: doc.RequestName,
    RequestName: doc.RequestName,
    ...keptWhenPresent({
      AcquisitionEra: doc.AcquisitionEra,
      CMSSWVersion: doc.CMSSWVersion,
      InputDataset: doc.Task1?.InputDataset ?? doc.Step1?.InputDataset ?? doc.InputDataset,
      LumiList: doc.LumiList,
      PrepID: doc.PrepID,
      ProcessingString: typeof processingString === 'string' ? processingString : undefined,
      RequestTransition: doc.RequestTransition?.map(({ Status, UpdateTime }) => ({
        Status,
        UpdateTime,
      })),
      RequestType: doc.RequestType,
      SizePerEvent: doc.SizePerEvent,
      TimePerEvent: doc.TimePerEvent,
    }),
    OutputDatasets: sortDatasetsByTier(flattenDatasets(doc.OutputDatasets ?? [])),
    RequestPriority: Math.trunc(doc.RequestPriority ?? 0),
    Campaigns: campaignsOf(doc),
    Requests: doc.chain.flatMap((task) => (task.PrepID === undefined ? [] : [task.PrepID])),
    TotalEvents,
    TotalInputLumis,
    EventNumberHistory: stored?.EventNumberHistory ?? [],
  };
  return { document, warnings };
}

/** Whether `built` must be written: it differs from `stored` other than in `_rev` and `LastUpdate`. */
export function documentChanged(
  stored: StoredWorkflow | undefined,
  built: BuiltWorkflowDocument,
): boolean {
  return stored === undefined || !sameJson(withoutWriteFields(stored), withoutWriteFields(built));
}

/**
 * Each task's (or step's) Campaign, else its AcquisitionEra; failing all, the document's
 * Campaign, else its AcquisitionEra. Duplicates stay, as in the original's documents (the
 * views and the website dedupe). A per-task (dict) AcquisitionEra gives its distinct
 * values, sorted (docs/workflow-document.md#campaigns-and-requests; the original stores the
 * dict, which no campaign filter matches).
 */
function campaignsOf(doc: ReqMgrDocument): string[] {
  const campaigns = doc.chain.flatMap((task) => {
    const campaign = task.Campaign ?? task.AcquisitionEra;
    return campaign === undefined ? [] : [campaign];
  });
  if (campaigns.length > 0) return campaigns;
  if (doc.Campaign !== undefined) return [doc.Campaign];
  const era = doc.AcquisitionEra;
  if (typeof era === 'string') return era.length > 0 ? [era] : [];
  if (era === null || era === undefined) return [];
  return [...new Set(Object.values(era).filter((value) => value.length > 0))].sort();
}

/** Drops absent and null values: a null PrepID (or any null kept attribute) is not stored. */
function keptWhenPresent<T extends Record<string, unknown>>(
  attributes: T,
): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(
    Object.entries(attributes).filter(([, value]) => value !== undefined && value !== null),
  ) as { [K in keyof T]?: Exclude<T[K], null | undefined> };
}

function withoutWriteFields(document: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...document };
  delete copy._rev;
  delete copy.LastUpdate;
  return copy;
}
