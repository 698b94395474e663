/**
 * Batched calls that fail narrowly (docs/update-run.md#one-bad-answer-costs-one-workflow):
 * a call covering many items (a DBS `datasetlist` of 100 datasets, an `_all_docs` or
 * `_bulk_docs` of a batch of workflows) fails as a whole when one item in it is bad. Such a
 * call is split in halves and the halves called again, down to single items, so that only
 * the items whose own call fails end up failed.
 *
 * Extra calls: isolating one bad item among n takes 2·⌈log2 n⌉ (two halves per level;
 * 14 for n = 100). Each chunk may spend twice that (enough to isolate two bad items);
 * past it, the parts still failing fail whole, so that an upstream failing every call
 * (an outage) costs a bounded number of calls per chunk, not 2n.
 */
import { settle, type Answer } from './lookups.js';

export interface NarrowingOptions {
  /** Items per call before any failure (default: all in one call). */
  chunkSize?: number;
  /** Whether a failure may be caused by one item (split) or concerns them all (fail whole). */
  splittable?: (error: Error) => boolean;
}

/** Some of the items and what their call gave. */
export interface Settled<T, R> {
  items: T[];
  outcome: Answer<R>;
}

/**
 * Calls `call` on `items` (in chunks of `chunkSize`, all at once) and narrows failures as
 * above. `splitting` is true for the calls made after a failure: a caller may skip its own
 * retries there (the failed call was retried already; a failing half is expected).
 */
export async function callNarrowing<T, R>(
  items: readonly T[],
  call: (chunk: T[], splitting: boolean) => Promise<R>,
  options: NarrowingOptions = {},
): Promise<Settled<T, R>[]> {
  const size = Math.max(1, options.chunkSize ?? items.length);
  const splittable = options.splittable ?? (() => true);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  const settled = await Promise.all(chunks.map((chunk) => narrowChunk(chunk, call, splittable)));
  return settled.flat();
}

/** Extra calls one chunk of `n` items may make: enough to isolate two bad items. */
export function splitBudget(n: number): number {
  return n <= 1 ? 0 : 4 * Math.ceil(Math.log2(n));
}

async function narrowChunk<T, R>(
  chunk: T[],
  call: (chunk: T[], splitting: boolean) => Promise<R>,
  splittable: (error: Error) => boolean,
): Promise<Settled<T, R>[]> {
  const budget = splitBudget(chunk.length);
  let spent = 0;
  const attempt = async (part: T[], splitting: boolean): Promise<Settled<T, R>[]> => {
    const outcome = await settle(call(part, splitting));
    if (outcome.ok || part.length === 1 || !splittable(outcome.error) || spent + 2 > budget)
      return [{ items: part, outcome }];
    spent += 2;
    const middle = Math.ceil(part.length / 2);
    const halves = await Promise.all([
      attempt(part.slice(0, middle), true),
      attempt(part.slice(middle), true),
    ]);
    return halves.flat();
  };
  return attempt(chunk, false);
}
