/**
 * Writes generated workflows straight into CouchDB with `_bulk_docs`, a chunk at a time
 * (memory stays small), and grows stored ones as an update run would.
 */
import type { StoredWorkflow } from '../../workflow/documents.js';
import type { WorkflowRepository } from '../../couch/workflows.js';
import { grownWorkflow, storedWorkflow } from './stored-workflows.js';

const CHUNK = 2_000;

export interface Fill {
  documents: number;
  seconds: number;
}

export async function fillWorkflows(
  workflows: WorkflowRepository,
  count: number,
  make: (i: number) => StoredWorkflow,
  onProgress: (written: number) => void = () => {},
): Promise<Fill> {
  const started = performance.now();
  for (let from = 0; from < count; from += CHUNK) {
    const docs = Array.from({ length: Math.min(CHUNK, count - from) }, (_, k) => make(from + k));
    const failed = (await workflows.writeMany(docs)).filter((outcome) => !outcome.ok);
    if (failed.length > 0)
      throw new Error(`writing generated workflows failed: ${JSON.stringify(failed[0])}`);
    onProgress(from + docs.length);
  }
  return { documents: count, seconds: (performance.now() - started) / 1000 };
}

/** An update run's batch size, and how many batches it writes at once. */
export const UPDATE_WRITE_BATCH = 100;
export const UPDATE_WRITES_AT_ONCE = 4;

/**
 * An update run's writes: generated workflows [from, from + count), as stored, each gain a
 * history entry (`grownWorkflow`) and are written back in batches of UPDATE_WRITE_BATCH,
 * `streams` batches at once. Resolves with the writing's milliseconds (reading aside).
 */
export async function writeGrownWorkflows(
  workflows: WorkflowRepository,
  from: number,
  count: number,
  now: number,
  streams = UPDATE_WRITES_AT_ONCE,
): Promise<number> {
  const ids = Array.from({ length: count }, (_, k) => storedWorkflow(from + k, now, 0)._id);
  const docs = [...(await workflows.getMany(ids)).values()].map((doc) => grownWorkflow(doc, now));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: streams }, async () => {
      while (next < docs.length) {
        const batch = docs.slice(next, (next += UPDATE_WRITE_BATCH));
        const failed = (await workflows.writeMany(batch)).filter((outcome) => !outcome.ok);
        if (failed.length > 0)
          throw new Error(`writing grown workflows failed: ${JSON.stringify(failed[0])}`);
      }
    }),
  );
  return performance.now() - started;
}
