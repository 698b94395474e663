/**
 * `TotalEvents` (expected events) and `TotalInputLumis` of a workflow
 * (docs/workflow-document.md#expected-events, #expected-lumisections). The rule chain is
 * decided once, by `eventsRule`: the look-up phase and the build phase both read it, so
 * they cannot disagree about which upstream fact a document needs.
 *
 * A value that cannot be found is −1 with a warning. That holds only for *successful*
 * answers that lack the value (no parent with TotalInputEvents, say): a failed or
 * missing answer throws (see `answerValue`), so an upstream outage never writes −1.
 */
import {
  PARENT_MASKS,
  answerValue,
  type DbsFileRow,
  type FileSummaryLookup,
  type LookupAnswers,
  type LumiMaskFilesLookup,
  type ParentLookup,
} from './lookups.js';
import type { ReqMgrDocument, ReqMgrTask } from './reqmgr-document.js';
import { parentValue } from './resubmission-parent.js';

const NOT_FOUND = -1;

const NO_PREPID = 'the Resubmission has no PrepID to find its parent by';

export interface ExpectedTotals {
  TotalEvents: number;
  TotalInputLumis: number;
  warnings: string[];
}

type InputDatasetLookup = FileSummaryLookup | LumiMaskFilesLookup;

type EventsRule =
  | { kind: 'known'; events: number }
  | { kind: 'inputDataset'; lookup: InputDatasetLookup }
  | { kind: 'parent'; lookup: ParentLookup }
  | { kind: 'notFound'; reason: string };

/** The look-ups the totals of this document need: none, or exactly one. */
export function totalsLookups(doc: ReqMgrDocument): Array<ParentLookup | InputDatasetLookup> {
  const rule = eventsRule(doc);
  return rule.kind === 'parent' || rule.kind === 'inputDataset' ? [rule.lookup] : [];
}

export function expectedTotals(doc: ReqMgrDocument, answers: LookupAnswers): ExpectedTotals {
  const warnings: string[] = [];
  const orNotFound = (value: number | undefined, field: string, reason: string): number => {
    if (value !== undefined) return value;
    warnings.push(`${doc.RequestName}: ${field} not found (${reason}), stored as ${NOT_FOUND}`);
    return NOT_FOUND;
  };
  const rule = eventsRule(doc);

  if (rule.kind === 'parent') {
    const candidates = answerValue(answers, rule.lookup);
    const inputEvents = parentValue(candidates, doc.OriginalRequestName, 'TotalInputEvents');
    const inputLumis = parentValue(candidates, doc.OriginalRequestName, 'TotalInputLumis');
    const noParentWith = (field: string): string =>
      `no request with PrepID ${rule.lookup.prepId} but Resubmissions and DQMHarvests has ${field}`;
    return {
      TotalEvents: orNotFound(
        inputEvents === undefined ? undefined : scaled(doc, inputEvents),
        'TotalEvents',
        noParentWith('TotalInputEvents'),
      ),
      TotalInputLumis: orNotFound(inputLumis, 'TotalInputLumis', noParentWith('TotalInputLumis')),
      warnings,
    };
  }

  const TotalEvents =
    rule.kind === 'notFound'
      ? orNotFound(undefined, 'TotalEvents', rule.reason)
      : rule.kind === 'known'
        ? rule.events
        : inputDatasetEvents(rule.lookup, answers);
  const TotalInputLumis = isResubmission(doc)
    ? orNotFound(undefined, 'TotalInputLumis', NO_PREPID)
    : orNotFound(doc.TotalInputLumis ?? undefined, 'TotalInputLumis', 'the document has none');
  return { TotalEvents, TotalInputLumis, warnings };
}

function eventsRule(doc: ReqMgrDocument): EventsRule {
  if (isResubmission(doc)) {
    return doc.PrepID
      ? { kind: 'parent', lookup: { kind: 'parent', prepId: doc.PrepID, masks: PARENT_MASKS } }
      : { kind: 'notFound', reason: NO_PREPID };
  }
  if ((doc.TotalInputFiles ?? 0) > 0 && doc.TotalInputEvents != null) {
    return { kind: 'known', events: scaled(doc, doc.TotalInputEvents) };
  }
  const requested =
    doc.RequestNumEvents ?? doc.Task1?.RequestNumEvents ?? doc.Step1?.RequestNumEvents;
  if (requested != null) return { kind: 'known', events: Math.floor(requested) };

  const lookup = inputDatasetLookup(doc.Task1) ?? inputDatasetLookup(doc.Step1);
  if (lookup) return { kind: 'inputDataset', lookup };
  return {
    kind: 'notFound',
    reason:
      'no TotalInputEvents with input files, no RequestNumEvents, no Task1/Step1 InputDataset',
  };
}

/**
 * Events of a chain's first input dataset, as the original counts them: the plain
 * `filesummaries` num_event (no validFileOnly: the access type is not known here),
 * or, under a lumi mask, the files of the masked runs.
 */
function inputDatasetLookup(task: ReqMgrTask | undefined): InputDatasetLookup | undefined {
  if (!task?.InputDataset) return undefined;
  const { InputDataset: dataset, LumiList: lumiList } = task;
  return lumiList && Object.keys(lumiList).length > 0
    ? { kind: 'lumiMaskFiles', dataset, lumiList }
    : { kind: 'fileSummary', dataset, validFileOnly: false };
}

function inputDatasetEvents(lookup: InputDatasetLookup, answers: LookupAnswers): number {
  return lookup.kind === 'fileSummary'
    ? answerValue(answers, lookup).num_event
    : eventsOfDistinctFiles(answerValue(answers, lookup));
}

/**
 * DBS answers one row per (file, run) with the whole file's event count, so a file in two
 * masked runs appears twice: count it once (docs/workflow-document.md#lumi-masks; the
 * original counts it twice).
 */
function eventsOfDistinctFiles(rows: readonly DbsFileRow[]): number {
  const eventsByFile = new Map<string, number>();
  for (const row of rows) {
    // Every row of a file carries the same count; max keeps the sum order-independent anyway.
    eventsByFile.set(
      row.logical_file_name,
      Math.max(eventsByFile.get(row.logical_file_name) ?? 0, row.event_count),
    );
  }
  let total = 0;
  for (const events of eventsByFile.values()) total += events;
  return total;
}

/** `floor(f × events)`, f = FilterEfficiency of the document, else of Task1, else of Step1, else 1. */
function scaled(doc: ReqMgrDocument, events: number): number {
  const efficiency =
    doc.FilterEfficiency ?? doc.Task1?.FilterEfficiency ?? doc.Step1?.FilterEfficiency ?? 1;
  return Math.floor(efficiency * events);
}

function isResubmission(doc: ReqMgrDocument): boolean {
  return doc.RequestType?.toLowerCase() === 'resubmission';
}
