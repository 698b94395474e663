/**
 * Full stored documents, for the endpoints that hand them out (`get_json`, `api/fetch`)
 * and the per-workflow page. One document is answered from a bounded cache of its
 * `get_json` text (keys sorted, indented), valid while the index — which follows the
 * `_changes` feed — has the same revision; otherwise, and while the index is not ready,
 * it is read from CouchDB. Several documents are read in batches.
 */
import type { StoredWorkflow } from '../../workflow/documents.js';
import type { WorkflowRepository } from '../../couch/workflows.js';
import { chunks } from '../../couch/documents.js';
import type { Filter } from './filters.js';
import { LruCache } from './lru-cache.js';
import { sortedJson } from './sorted-json.js';
import { isReadableWorkflowName } from './workflow-names.js';
import type { WorkflowIndex } from './workflow-index.js';
import type { WorkflowQueries } from './workflow-query.js';

const BATCH = 250;

/** One document as `get_json` answers it. */
export interface WorkflowJson {
  revision: string | undefined;
  /** The document, keys sorted, indented by 4. */
  body: Buffer;
}

export interface WorkflowDocumentsOptions {
  workflows: WorkflowRepository;
  queries: WorkflowQueries;
  index: WorkflowIndex;
  /** Memory for cached documents (default 16 MB). */
  cacheBytes?: number;
}

export class WorkflowDocuments {
  private readonly workflows: WorkflowRepository;
  private readonly queries: WorkflowQueries;
  private readonly index: WorkflowIndex;
  private readonly cache: LruCache<string, WorkflowJson>;
  private readonly reading = new Map<string, Promise<WorkflowJson | undefined>>();

  constructor(options: WorkflowDocumentsOptions) {
    this.workflows = options.workflows;
    this.queries = options.queries;
    this.index = options.index;
    this.cache = new LruCache(options.cacheBytes ?? 16_000_000, (entry) => entry.body.length + 200);
  }

  /**
   * The revision the index knows for `name`, when it is current (ready): enough to answer
   * a conditional request without reading the document.
   */
  knownRevision(name: string): string | undefined {
    return this.index.ready ? this.index.find(name)?.revision : undefined;
  }

  /** The stored document as `get_json` text, or undefined (also for names that cannot be workflows). */
  async json(name: string): Promise<WorkflowJson | undefined> {
    if (!isReadableWorkflowName(name)) return undefined;
    const known = this.knownRevision(name);
    const cached = this.cache.get(name);
    if (cached && known !== undefined && cached.revision === known) return cached;
    let pending = this.reading.get(name);
    if (!pending) {
      pending = this.read(name).finally(() => this.reading.delete(name));
      this.reading.set(name, pending);
    }
    return pending;
  }

  /** The stored document, or undefined. */
  async get(name: string): Promise<StoredWorkflow | undefined> {
    const json = await this.json(name);
    return json && (JSON.parse(json.body.toString('utf8')) as StoredWorkflow);
  }

  /** Every document matching `filter`, in display order, a batch at a time. */
  async *matching(filter: Filter): AsyncGenerator<StoredWorkflow[]> {
    const names =
      filter.name === 'workflow_name'
        ? [filter.value].filter(isReadableWorkflowName)
        : this.queries.names(filter);
    for (const batch of chunks(names, BATCH)) {
      const found = await this.workflows.getMany(batch);
      const docs = batch.flatMap((name) => {
        const doc = found.get(name);
        return doc ? [doc] : [];
      });
      if (docs.length > 0) yield docs;
    }
  }

  /** Bytes the cached documents take. */
  get cachedBytes(): number {
    return this.cache.weight;
  }

  private async read(name: string): Promise<WorkflowJson | undefined> {
    const doc = await this.workflows.get(name);
    if (!doc) {
      this.cache.delete(name);
      return undefined;
    }
    const json = {
      revision: typeof doc._rev === 'string' ? doc._rev : undefined,
      body: Buffer.from(sortedJson(doc, 4), 'utf8'),
    };
    this.cache.set(name, json);
    return json;
  }
}
