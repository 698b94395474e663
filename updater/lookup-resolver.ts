/**
 * Answers look-ups through the upstream clients, once per look-up key for the whole run
 * (SPEC §4, §7: a cache keyed by everything that changes the answer). Dataset access
 * types are asked for many datasets per `datasetlist` call. A failed call is recorded as
 * a failed answer, so the decision functions refuse to build from it.
 */
import { errorMessage } from '../lib/errors.js';
import { recordDatasetList } from './history.js';
import {
  LookupAnswers,
  lookupKey,
  type Answer,
  type DatasetAccessLookup,
  type DbsFileRow,
  type Lookup,
  type ParentCandidate,
} from './lookups.js';
import type { UpdaterUpstream } from './upstream-port.js';

export class LookupResolver {
  readonly answers = new LookupAnswers();
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(private readonly upstream: UpdaterUpstream) {}

  /** Resolves when every look-up has an answer (a value or a failure) in `answers`. */
  async resolve(lookups: readonly Lookup[]): Promise<LookupAnswers> {
    const waits: Promise<void>[] = [];
    const newAccess: DatasetAccessLookup[] = [];
    for (const lookup of lookups) {
      const key = lookupKey(lookup);
      const pending = this.#inFlight.get(key);
      if (pending) {
        waits.push(pending);
      } else if (!this.answers.has(lookup)) {
        if (lookup.kind === 'datasetAccess') newAccess.push(lookup);
        else waits.push(this.#track(key, this.#answerOne(lookup)));
      }
    }
    if (newAccess.length > 0) {
      const batch = this.#answerAccessTypes(newAccess.map((l) => l.dataset));
      for (const lookup of newAccess) waits.push(this.#track(lookupKey(lookup), batch));
    }
    await Promise.all(waits);
    return this.answers;
  }

  #track(key: string, work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, tracked);
    return tracked;
  }

  async #answerAccessTypes(datasets: string[]): Promise<void> {
    const unique = [...new Set(datasets)];
    recordDatasetList(this.answers, unique, await settle(this.upstream.datasetList(unique)));
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

async function settle<T>(work: Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await work };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err : new Error(errorMessage(err)) };
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
