/**
 * The event history of a workflow's output datasets
 * (docs/event-history.md#building-an-entry, #when-an-entry-is-appended). Look-ups come in
 * two rounds: each dataset's access type (DBS `datasetlist`), then `filesummaries` of the
 * datasets DBS knows, with validFileOnly when the type is VALID or PRODUCTION.
 */
import type { DatasetSnapshot, HistoryEntry } from '../workflow/documents.js';
import { sameJson } from './canonical-json.js';
import {
  answerValue,
  type Answer,
  type DatasetAccessLookup,
  type DatasetListRow,
  type FileSummaryLookup,
  type LookupAnswers,
} from './lookups.js';

/** Stats2's own access type for a dataset DBS does not know. */
const UNKNOWN_DATASET_TYPE = 'NONE';

const VALID_FILE_ONLY_TYPES = new Set(['VALID', 'PRODUCTION']);

export interface HistoryInput {
  outputDatasets: readonly string[];
  lumisMode: boolean;
  /** Unix seconds. */
  time: number;
}

export interface HistoryUpdate {
  history: HistoryEntry[];
  /** False when nothing was appended: then nothing needs writing. */
  changed: boolean;
}

/** First round: the access type of every output dataset. */
export function historyLookups(outputDatasets: readonly string[]): DatasetAccessLookup[] {
  return distinctSorted(outputDatasets).map((dataset) => ({ kind: 'datasetAccess', dataset }));
}

/**
 * Records one `datasetlist` answer for the datasets it was asked about: each gets its
 * access type, null when DBS left it out (unknown), or the failure when the call failed.
 */
export function recordDatasetList(
  answers: LookupAnswers,
  askedDatasets: readonly string[],
  result: Answer<DatasetListRow[]>,
): LookupAnswers {
  const accessTypes = new Map<string, string>();
  if (result.ok) {
    for (const row of result.value) {
      if (!accessTypes.has(row.dataset)) accessTypes.set(row.dataset, row.dataset_access_type);
    }
  }
  for (const dataset of askedDatasets) {
    answers.set(
      { kind: 'datasetAccess', dataset },
      result.ok ? { ok: true, value: accessTypes.get(dataset) ?? null } : result,
    );
  }
  return answers;
}

/** Second round: `filesummaries` of the datasets DBS knows; needs the first round's answers. */
export function historySummaryLookups(
  outputDatasets: readonly string[],
  answers: LookupAnswers,
): FileSummaryLookup[] {
  return historyLookups(outputDatasets).flatMap((lookup) => {
    const accessType = answerValue(answers, lookup);
    return accessType === null ? [] : [fileSummaryLookup(lookup.dataset, accessType)];
  });
}

/** Throws LookupFailedError / LookupMissingError rather than recording a dataset it could not ask about. */
export function buildHistoryEntry(input: HistoryInput, answers: LookupAnswers): HistoryEntry {
  const Datasets: Record<string, DatasetSnapshot> = {};
  for (const dataset of distinctSorted(input.outputDatasets)) {
    const accessType = answerValue(answers, { kind: 'datasetAccess', dataset });
    if (accessType === null) {
      Datasets[dataset] = {
        Type: UNKNOWN_DATASET_TYPE,
        Events: 0,
        Size: 0,
        ...(input.lumisMode ? { Lumis: 0 } : {}),
      };
      continue;
    }
    const summary = answerValue(answers, fileSummaryLookup(dataset, accessType));
    Datasets[dataset] = {
      Type: accessType,
      Events: summary.num_event,
      Size: summary.file_size,
      ...(input.lumisMode ? { Lumis: summary.num_lumi } : {}),
    };
  }
  return { Time: input.time, Datasets };
}

/**
 * Appends `entry` unless its Datasets equal the latest entry's (by Time) or are empty.
 * Only the Datasets are compared, so the same DBS state seen again later (a rerun after a
 * crash, say) adds nothing. In lumis mode, older snapshots lacking Lumis get `Lumis: 0`,
 * and the latest is compared as it would then read: a workflow that has just entered lumis
 * mode does not get a second, identical entry (`NONE`, 0 events, `Lumis: 0` twice).
 */
export function appendHistory(
  history: readonly HistoryEntry[],
  entry: HistoryEntry,
  lumisMode: boolean,
): HistoryUpdate {
  const chronological = [...history].sort(byTime);
  const older = lumisMode ? chronological.map(withLumis) : chronological;
  const latest = older.at(-1);
  if (
    Object.keys(entry.Datasets).length === 0 ||
    (latest && sameJson(latest.Datasets, entry.Datasets))
  ) {
    return { history: [...history], changed: false };
  }
  return { history: [...older, entry].sort(byTime), changed: true };
}

function fileSummaryLookup(dataset: string, accessType: string): FileSummaryLookup {
  return { kind: 'fileSummary', dataset, validFileOnly: VALID_FILE_ONLY_TYPES.has(accessType) };
}

function withLumis(entry: HistoryEntry): HistoryEntry {
  const Datasets = Object.fromEntries(
    Object.entries(entry.Datasets).map(([dataset, snapshot]) => [
      dataset,
      snapshot.Lumis === undefined ? { ...snapshot, Lumis: 0 } : snapshot,
    ]),
  );
  return { ...entry, Datasets };
}

function byTime(a: HistoryEntry, b: HistoryEntry): number {
  return a.Time - b.Time;
}

function distinctSorted(datasets: readonly string[]): string[] {
  return [...new Set(datasets)].sort();
}
