/** Writes generated workflows straight into CouchDB with `_bulk_docs`, a chunk at a time (memory stays small). */
import type { StoredWorkflow } from '../../workflow/documents.js';
import type { WorkflowRepository } from '../../couch/workflows.js';

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
