/**
 * `get_json` answers (a stored document as sorted JSON text, with its `_rev`), kept in a
 * bounded least-recently-used cache so that a repeated request reads nothing from CouchDB.
 * The workflow index's `_changes` feed drops an entry when its document changes; while the
 * index does not follow the feed (still loading, or the feed failing) every request reads
 * CouchDB and nothing is kept.
 */
import { LruCache } from './lru-cache.js';
import { sortedJson } from './sorted-json.js';
import type { WorkflowDocuments } from './workflow-documents.js';
import type { WorkflowIndex } from './workflow-index.js';

export interface JsonDocument {
  /** The document's `_rev`. */
  rev: string;
  /** Sorted JSON, indented by 4. */
  text: string;
}

export class JsonDocuments {
  private readonly cache: LruCache<string, JsonDocument>;
  /** Grows with every change the feed announces: a read that overlapped one is not kept. */
  private changes = 0;

  constructor(
    private readonly documents: WorkflowDocuments,
    private readonly index: WorkflowIndex,
    maxBytes: number,
  ) {
    // Two bytes per character of a JavaScript string.
    this.cache = new LruCache(maxBytes, (entry) => 2 * entry.text.length);
    index.onChange((names) => {
      this.changes++;
      if (names === 'all') this.cache.clear();
      else for (const name of names) this.cache.delete(name);
    });
  }

  /** The document as sorted JSON, or undefined when there is none by that name. */
  async get(name: string): Promise<JsonDocument | undefined> {
    const following = this.index.following;
    if (following) {
      const cached = this.cache.get(name);
      if (cached) return cached;
    }
    const changesBefore = this.changes;
    const doc = await this.documents.get(name);
    if (!doc) return undefined;
    const entry = { rev: doc._rev ?? '', text: sortedJson(doc, 4) };
    if (following && this.index.following && this.changes === changesBefore && entry.rev !== '')
      this.cache.set(name, entry);
    return entry;
  }
}
