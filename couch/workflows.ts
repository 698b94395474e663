/**
 * The `requests` database: workflow documents by RequestName, and the `_designDoc`
 * views that find them by campaign, dataset, PrepID, type, processing string or request.
 */
import type { DocumentScope, ServerScope } from 'nano';
import { chunks, DocumentStore } from './documents.js';
import { couchError } from './errors.js';
import type { StoredWorkflow } from '../workflow/documents.js';

export const WORKFLOW_VIEWS = [
  'campaigns',
  'inputDatasets',
  'outputDatasets',
  'prepids',
  'types',
  'processingStrings',
  'requests',
] as const;

export type WorkflowView = (typeof WORKFLOW_VIEWS)[number];

export const DESIGN_DOC = '_designDoc';

const KEYS_PER_QUERY = 200;

export class WorkflowRepository extends DocumentStore<StoredWorkflow> {
  constructor(server: ServerScope, dbName: string) {
    super(server.use<StoredWorkflow>(dbName) as DocumentScope<StoredWorkflow>, dbName);
  }

  /** Workflows by RequestName; ids starting with `_` (design documents) are never workflows. */
  override async getMany(ids: readonly string[]): Promise<Map<string, StoredWorkflow>> {
    return super.getMany(ids.filter((id) => !id.startsWith('_')));
  }

  /** RequestNames per key of `view`, in the view's order (keys JSON-encoded by nano). */
  async namesByKeys(view: WorkflowView, keys: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (const batch of chunks([...new Set(keys)], KEYS_PER_QUERY)) {
      let response;
      try {
        response = await this.db.view<string>(DESIGN_DOC, view, { keys: batch });
      } catch (err) {
        throw couchError(`querying view ${view} of ${this.name}`, err);
      }
      for (const row of response.rows) {
        const key = row.key as string;
        const names = result.get(key) ?? [];
        names.push(row.value);
        result.set(key, names);
      }
    }
    return result;
  }

  async namesByKey(view: WorkflowView, key: string): Promise<string[]> {
    return (await this.namesByKeys(view, [key])).get(key) ?? [];
  }

  /** Number of workflow documents (design documents excluded). */
  async count(): Promise<number> {
    try {
      const [info, designs] = await Promise.all([
        this.db.info(),
        this.db.list({ startkey: '_design/', endkey: '_design0' }),
      ]);
      return info.doc_count - designs.rows.length;
    } catch (err) {
      throw couchError(`counting documents of ${this.name}`, err);
    }
  }

  /** Every workflow document, in pages of `pageSize`, in RequestName order. */
  async *scan(pageSize = 1000): AsyncGenerator<StoredWorkflow[]> {
    let startkey: string | undefined;
    for (;;) {
      let response;
      try {
        response = await this.db.list({
          include_docs: true,
          limit: pageSize + 1,
          ...(startkey === undefined ? {} : { startkey }),
        });
      } catch (err) {
        throw couchError(`reading all documents of ${this.name}`, err);
      }
      const rows = response.rows;
      const page = rows.slice(0, pageSize);
      const docs = page
        .filter((row) => !row.id.startsWith('_design/') && row.doc)
        .map((row) => row.doc as StoredWorkflow);
      if (docs.length > 0) yield docs;
      if (rows.length <= pageSize) return;
      startkey = rows[pageSize]?.id;
    }
  }
}
