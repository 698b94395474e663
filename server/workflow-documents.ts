/**
 * Full stored documents, for the endpoints that hand them out (`get_json`, `api/fetch`)
 * and the per-workflow page. Read through the reader connection, in batches.
 */
import type { StoredWorkflow } from '../couch/types.js';
import type { WorkflowRepository } from '../couch/workflows.js';
import { chunks } from '../couch/documents.js';
import type { Filter } from './filters.js';
import { isReadableWorkflowName } from './validation.js';
import type { WorkflowQueries } from './workflow-query.js';

const BATCH = 250;

export class WorkflowDocuments {
  constructor(
    private readonly workflows: WorkflowRepository,
    private readonly queries: WorkflowQueries,
  ) {}

  /** The stored document, or undefined (also for names that cannot be workflows, like `_design/…`). */
  async get(name: string): Promise<StoredWorkflow | undefined> {
    if (!isReadableWorkflowName(name)) return undefined;
    return this.workflows.get(name);
  }

  /** Every document matching `filter` (all without one), in display order, a batch at a time. */
  async *matching(filter: Filter | undefined): AsyncGenerator<StoredWorkflow[]> {
    if (filter === undefined) {
      yield* this.workflows.scan(BATCH * 2);
      return;
    }
    const names =
      filter.name === 'workflow_name'
        ? [filter.value].filter(isReadableWorkflowName)
        : await this.queries.names(filter);
    for (const batch of chunks(names, BATCH)) {
      const found = await this.workflows.getMany(batch);
      const docs = batch.flatMap((name) => {
        const doc = found.get(name);
        return doc ? [doc] : [];
      });
      if (docs.length > 0) yield docs;
    }
  }
}
