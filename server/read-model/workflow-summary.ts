/**
 * The compact form of a workflow that list pages need: display fields plus the latest
 * numbers of each output dataset — never the whole event history. Built from a stored
 * document, of which any field may be missing, null or of the wrong type.
 */
import { isLumisMode } from '../../workflow/lumis-mode.js';
import type { LumiList } from '../../workflow/documents.js';
import {
  asNumber,
  asString,
  asUniqueStrings,
  historyEntries,
  isRecord,
  snapshotOf,
} from './stored-fields.js';

export interface DatasetSummary {
  name: string;
  /** From the latest history entry that has the dataset; all undefined when none has it. */
  type: string | undefined;
  events: number | undefined;
  size: number | undefined;
  lumis: number | undefined;
}

export interface WorkflowSummary {
  /** The document id (= RequestName); what links and look-ups use. */
  name: string;
  prepid: string | undefined;
  type: string | undefined;
  priority: number | undefined;
  totalEvents: number | undefined;
  totalInputLumis: number | undefined;
  lumisMode: boolean;
  lastUpdate: number | undefined;
  firstStatus: string | undefined;
  firstStatusTime: number | undefined;
  /** Only when there is more than one status transition. */
  lastStatus: string | undefined;
  lastStatusTime: number | undefined;
  processingString: string | undefined;
  inputDataset: string | undefined;
  requests: string[];
  campaigns: string[];
  datasets: DatasetSummary[];
  /** Lowest run of the LumiList (DQM GUI links of data workflows need one). */
  firstRun: number | undefined;
  /** The document has a RequestName: the filters (like the views they stand for) list only those. */
  filterable: boolean;
  /** `datasets` are the document's OutputDatasets (not names found in its history). */
  datasetsListed: boolean;
}

/** The data tier: what follows the last `/`. */
export function datasetTier(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The summary of a stored document, or undefined when it is not a workflow at all. */
export function summarizeWorkflow(doc: unknown): WorkflowSummary | undefined {
  if (
    !isRecord(doc) ||
    typeof doc._id !== 'string' ||
    doc._id === '' ||
    doc._id.startsWith('_design/')
  ) {
    return undefined;
  }
  const type = asString(doc.RequestType);
  const lumiList = isRecord(doc.LumiList) ? (doc.LumiList as LumiList) : undefined;
  const totalInputLumis = asNumber(doc.TotalInputLumis);
  const transitions = statuses(doc.RequestTransition);
  const first = transitions[0];
  const last = transitions.length > 1 ? transitions[transitions.length - 1] : undefined;
  return {
    name: doc._id,
    prepid: asString(doc.PrepID),
    type,
    priority: asNumber(doc.RequestPriority),
    totalEvents: asNumber(doc.TotalEvents),
    totalInputLumis,
    lumisMode: isLumisMode({
      RequestType: type ?? null,
      LumiList: lumiList ?? null,
      TotalInputLumis: totalInputLumis ?? null,
    }),
    lastUpdate: asNumber(doc.LastUpdate),
    firstStatus: first?.status,
    firstStatusTime: first?.time,
    lastStatus: last?.status,
    lastStatusTime: last?.time,
    processingString: asString(doc.ProcessingString),
    inputDataset: asString(doc.InputDataset),
    requests: asUniqueStrings(doc.Requests),
    campaigns: asUniqueStrings(doc.Campaigns),
    datasets: latestNumbers(doc.OutputDatasets, doc.EventNumberHistory),
    firstRun: firstRunOf(lumiList),
    filterable: Boolean(doc.RequestName),
    datasetsListed: Array.isArray(doc.OutputDatasets),
  };
}

function statuses(value: unknown): Array<{ status: string; time: number | undefined }> {
  if (!Array.isArray(value)) return [];
  const result: Array<{ status: string; time: number | undefined }> = [];
  for (const entry of value) {
    if (!isRecord(entry)) continue;
    const status = asString(entry.Status);
    if (status !== undefined) result.push({ status, time: asNumber(entry.UpdateTime) });
  }
  return result;
}

/**
 * Each output dataset with its numbers from the latest history entry that has it. When
 * OutputDatasets is missing (old documents), the datasets named in the history are shown.
 */
function latestNumbers(outputDatasets: unknown, eventNumberHistory: unknown): DatasetSummary[] {
  const history = historyEntries(eventNumberHistory);
  const names = Array.isArray(outputDatasets)
    ? asUniqueStrings(outputDatasets)
    : asUniqueStrings(history.flatMap((entry) => Object.keys(entry.datasets)));
  return names.map((name) => {
    let latest;
    for (let i = history.length - 1; i >= 0 && latest === undefined; i--) {
      const entry = history[i] as (typeof history)[number];
      latest = snapshotOf(entry.time, entry.datasets[name]);
    }
    return {
      name,
      type: latest?.type,
      events: latest?.events,
      size: latest?.size,
      lumis: latest?.lumis,
    };
  });
}

function firstRunOf(lumiList: LumiList | undefined): number | undefined {
  if (!lumiList) return undefined;
  let lowest: number | undefined;
  for (const key of Object.keys(lumiList)) {
    const run = Number(key);
    if (Number.isInteger(run) && run > 0 && (lowest === undefined || run < lowest)) lowest = run;
  }
  return lowest;
}
