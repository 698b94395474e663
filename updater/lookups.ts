/**
 * Upstream facts that building a workflow document or a history entry needs, as plain data.
 * The decision functions say which look-ups they need; the I/O layer answers them (caching
 * per look-up key within a run) and hands the answers back. A look-up's key is made of
 * everything that changes its answer (docs/event-history.md#dbs-look-ups-and-caching), so a
 * run-wide cache keyed by it can never serve one workflow an answer that was asked for
 * another's needs.
 */
import type { LumiList } from '../workflow/documents.js';
import { Stats2Error, errorMessage } from '../lib/errors.js';
import { canonicalJson } from './canonical-json.js';

/** Fields asked from ReqMgr2 REST about the requests sharing a Resubmission's PrepID. */
export const PARENT_MASKS = [
  'RequestType',
  'TotalInputEvents',
  'TotalInputLumis',
  'OriginalRequestName',
] as const;

/** `GET reqmgr2/data/request?mask=…&prep_id=<prepId>` */
export interface ParentLookup {
  kind: 'parent';
  prepId: string;
  masks: readonly (typeof PARENT_MASKS)[number][];
}

/** `GET DBSReader/filesummaries?dataset=<dataset>[&validFileOnly=1]` */
export interface FileSummaryLookup {
  kind: 'fileSummary';
  dataset: string;
  validFileOnly: boolean;
}

/** `GET DBSReader/files?dataset=<dataset>&detail=true&run_num=<run>&lumi_list=<ranges>`, one call per run. */
export interface LumiMaskFilesLookup {
  kind: 'lumiMaskFiles';
  dataset: string;
  lumiList: LumiList;
}

/** The dataset's row of `POST DBSReader/datasetlist` (many datasets may share one call). */
export interface DatasetAccessLookup {
  kind: 'datasetAccess';
  dataset: string;
}

export type Lookup = ParentLookup | FileSummaryLookup | LumiMaskFilesLookup | DatasetAccessLookup;

/** One request of the PrepID look-up (`result[0]` of the REST answer, in answer order). */
export interface ParentCandidate {
  RequestName: string;
  RequestType: string | null;
  TotalInputEvents: number | null;
  TotalInputLumis: number | null;
  OriginalRequestName: string | null;
}

/** The single row `filesummaries` returns for a dataset query. */
export interface DbsFileSummary {
  num_event: number;
  file_size: number;
  num_lumi: number;
}

/** A detailed row of `datasetlist` (only the fields Stats2 reads). */
export interface DatasetListRow {
  dataset: string;
  dataset_access_type: string;
}

/** One (file, run) row of `files`; `event_count` is the whole file's. */
export interface DbsFileRow {
  logical_file_name: string;
  event_count: number;
}

export type AnswerValue<L extends Lookup> = L extends ParentLookup
  ? ParentCandidate[]
  : L extends FileSummaryLookup
    ? DbsFileSummary
    : L extends LumiMaskFilesLookup
      ? DbsFileRow[] // the rows of every masked run together
      : L extends DatasetAccessLookup
        ? string | null // dataset_access_type; null when DBS does not know the dataset
        : never;

/** An upstream answer: its validated value, or why it could not be had. */
export type Answer<T> = { ok: true; value: T } | { ok: false; error: Error };

export function lookupKey(lookup: Lookup): string {
  return canonicalJson(lookup);
}

/**
 * Answers by look-up key; typed so that each kind of look-up holds its kind of answer.
 * Given `shared`, only the `datasetAccess` answers are kept here and every other kind
 * goes to `shared` (see LookupResolver.fork).
 */
export class LookupAnswers {
  readonly #answers = new Map<string, Answer<unknown>>();

  constructor(private readonly shared?: LookupAnswers) {}

  set<L extends Lookup>(lookup: L, answer: Answer<AnswerValue<L>>): this {
    if (this.#delegates(lookup)) (this.shared as LookupAnswers).set(lookup, answer);
    else this.#answers.set(lookupKey(lookup), answer);
    return this;
  }

  get<L extends Lookup>(lookup: L): Answer<AnswerValue<L>> | undefined {
    if (this.#delegates(lookup)) return (this.shared as LookupAnswers).get(lookup);
    return this.#answers.get(lookupKey(lookup)) as Answer<AnswerValue<L>> | undefined;
  }

  has(lookup: Lookup): boolean {
    if (this.#delegates(lookup)) return (this.shared as LookupAnswers).has(lookup);
    return this.#answers.has(lookupKey(lookup));
  }

  /** A copy of the answers kept here (the shared ones stay shared). */
  copy(): LookupAnswers {
    const copy = new LookupAnswers(this.shared);
    for (const [key, answer] of this.#answers) copy.#answers.set(key, answer);
    return copy;
  }

  #delegates(lookup: Lookup): boolean {
    return this.shared !== undefined && lookup.kind !== 'datasetAccess';
  }
}

/** The value of `work`, or why it failed, as an Answer. */
export async function settle<T>(work: Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await work };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err : new Error(errorMessage(err)) };
  }
}

/** An upstream look-up failed, so nothing may be built from it: retry the workflow later. */
export class LookupFailedError extends Stats2Error {
  readonly lookup: Lookup;

  constructor(lookup: Lookup, cause: Error) {
    super(`${describeLookup(lookup)} failed: ${errorMessage(cause)}`, {
      code: 'LOOKUP_FAILED',
      statusCode: 502,
      cause,
    });
    this.lookup = lookup;
  }
}

/** A look-up the decision needs was never answered: a bug in the caller, not upstream. */
export class LookupMissingError extends Stats2Error {
  readonly lookup: Lookup;

  constructor(lookup: Lookup) {
    super(`no answer was given for ${describeLookup(lookup)}`, { code: 'LOOKUP_MISSING' });
    this.lookup = lookup;
  }
}

/** The answer's value; throws when it is missing or failed. */
export function answerValue<L extends Lookup>(answers: LookupAnswers, lookup: L): AnswerValue<L> {
  const answer = answers.get(lookup);
  if (answer === undefined) throw new LookupMissingError(lookup);
  if (!answer.ok) throw new LookupFailedError(lookup, answer.error);
  return answer.value;
}

function describeLookup(lookup: Lookup): string {
  switch (lookup.kind) {
    case 'parent':
      return `ReqMgr2 look-up of the requests with PrepID ${lookup.prepId}`;
    case 'fileSummary':
      return `DBS filesummaries of ${lookup.dataset}${lookup.validFileOnly ? ' (valid files only)' : ''}`;
    case 'lumiMaskFiles':
      return `DBS files of ${lookup.dataset} in runs ${Object.keys(lookup.lumiList).join(', ')}`;
    case 'datasetAccess':
      return `DBS datasetlist entry of ${lookup.dataset}`;
  }
}
