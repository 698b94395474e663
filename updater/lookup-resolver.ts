/**
 * Answers look-ups through the upstream clients, with a cache keyed by everything that
 * changes the answer (docs/event-history.md#dbs-look-ups-and-caching). Look-ups with a key
 * of their own (filesummaries, files, the PrepID look-up) are asked once per key by all the
 * resolvers of one family (a resolver and its forks), however they interleave. Dataset
 * access types are asked many datasets per `datasetlist` call, and each fork asks for the
 * datasets it has no answer for itself: the calls a batch makes then depend on the batch
 * alone, never on which other batch asked first
 * (docs/differences-from-stats2.md#deterministic-results), and call counts do not wobble. A
 * failed call is recorded as a failed answer, so the decision functions refuse to build
 * from it; a failed `datasetlist` is narrowed down to the datasets that fail on their own.
 */
import { recordDatasetList } from './history.js';
import {
  LookupAnswers,
  lookupKey,
  settle,
  type DatasetAccessLookup,
  type DbsFileRow,
  type Lookup,
  type ParentCandidate,
} from './lookups.js';
import { callNarrowing } from './narrowing.js';
import type { UpdaterUpstream } from './upstream-port.js';

/** Datasets per `datasetlist` call (dbs2go queries 100 at a time). */
export const DATASETS_PER_CALL = 100;

interface KeyedLookups {
  answers: LookupAnswers;
  inFlight: Map<string, Promise<void>>;
}

export class LookupResolver {
  readonly answers: LookupAnswers;
  readonly #keyed: KeyedLookups;

  constructor(
    private readonly upstream: UpdaterUpstream,
    keyed: KeyedLookups = { answers: new LookupAnswers(), inFlight: new Map() },
    accessTypes?: LookupAnswers,
  ) {
    this.#keyed = keyed;
    this.answers = accessTypes ?? new LookupAnswers(keyed.answers);
  }

  /**
   * A resolver for one batch: it shares the keyed look-ups of this one and starts with a
   * copy of this one's dataset access types, then asks for the others itself.
   */
  fork(): LookupResolver {
    return new LookupResolver(this.upstream, this.#keyed, this.answers.copy());
  }

  /** Resolves when every look-up has an answer (a value or a failure) in `answers`. */
  async resolve(lookups: readonly Lookup[]): Promise<LookupAnswers> {
    const waits: Promise<void>[] = [];
    const newAccess = new Set<string>();
    for (const lookup of lookups) {
      if (lookup.kind === 'datasetAccess') {
        if (!this.answers.has(lookup)) newAccess.add(lookup.dataset);
        continue;
      }
      const key = lookupKey(lookup);
      const pending = this.#keyed.inFlight.get(key);
      if (pending) waits.push(pending);
      else if (!this.answers.has(lookup)) waits.push(this.#track(key, this.#answerOne(lookup)));
    }
    if (newAccess.size > 0) waits.push(this.#answerAccessTypes([...newAccess].sort()));
    await Promise.all(waits);
    return this.answers;
  }

  #track(key: string, work: Promise<void>): Promise<void> {
    const inFlight = this.#keyed.inFlight;
    const tracked = work.finally(() => inFlight.delete(key));
    inFlight.set(key, tracked);
    return tracked;
  }

  /** Sorted, distinct datasets, 100 per call; a failed call is split until the failures are its bad datasets. */
  async #answerAccessTypes(datasets: string[]): Promise<void> {
    const settled = await callNarrowing(
      datasets,
      (chunk, splitting) => this.upstream.datasetList(chunk, { retry: !splitting }),
      { chunkSize: DATASETS_PER_CALL, splittable: answerSaysWhy },
    );
    for (const { items, outcome } of settled) recordDatasetList(this.answers, items, outcome);
  }

  async #answerOne(lookup: Exclude<Lookup, DatasetAccessLookup>): Promise<void> {
    switch (lookup.kind) {
      case 'parent':
        this.answers.set(lookup, await settle(this.#parentCandidates(lookup.prepId, lookup.masks)));
        return;
      case 'fileSummary':
        this.answers.set(
          lookup,
          await settle(this.upstream.fileSummaries(lookup.dataset, lookup.validFileOnly)),
        );
        return;
      case 'lumiMaskFiles':
        this.answers.set(
          lookup,
          await settle(this.#lumiMaskFiles(lookup.dataset, lookup.lumiList)),
        );
        return;
    }
  }

  async #parentCandidates(prepId: string, masks: readonly string[]): Promise<ParentCandidate[]> {
    const requests = await this.upstream.requestsByPrepId(prepId, masks);
    return Object.entries(requests).map(([name, fields]) => ({
      RequestName: name,
      RequestType: stringOrNull(fields.RequestType),
      TotalInputEvents: numberOrNull(fields.TotalInputEvents),
      TotalInputLumis: numberOrNull(fields.TotalInputLumis),
      OriginalRequestName: stringOrNull(fields.OriginalRequestName),
    }));
  }

  /** The rows of every masked run together; summing once per file is the decision's job. */
  async #lumiMaskFiles(
    dataset: string,
    lumiList: Record<string, Array<[number, number]>>,
  ): Promise<DbsFileRow[]> {
    const runs = Object.keys(lumiList).sort();
    const perRun = await Promise.all(
      runs.map((run) => this.upstream.files(dataset, run, lumiList[run] ?? [], false)),
    );
    return perRun.flat();
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** ReqMgr2 masks give a number, null, or (for chained requests) a list of the tasks' values. */
function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) {
    const numbers = value.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return numbers.length > 0 ? Math.max(...numbers) : null;
  }
  return null;
}

/**
 * Whether a failure may come from the datasets asked (an error answer, an HTML page, a
 * body that is not what DBS sends), so that smaller calls can tell which. A timeout or a
 * connection failure says nothing about them: splitting would only multiply it.
 */
function answerSaysWhy(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return code !== 'UPSTREAM_TIMEOUT' && code !== 'UPSTREAM_NETWORK' && code !== 'UPSTREAM_TLS';
}
