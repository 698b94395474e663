/**
 * Workflow blocks rendered once per version of a workflow's summary and kept, compiled,
 * for the most recently shown workflows. A list page then costs copying 100 blocks
 * whatever page it is; a block is rendered again only after its workflow changed (its
 * packed summary differs) or fell out of the cache.
 */
import { LruCache } from '../../read-model/lru-cache.js';
import type { PackedSummary } from '../../read-model/packed-summary.js';
import type { IndexedWorkflow } from '../../read-model/workflow-index.js';
import { CompiledHtml } from './compiled-html.js';
import { workflowBlock } from './workflow-block.js';

export class WorkflowBlocks {
  private readonly cache: LruCache<string, { packed: PackedSummary; block: CompiledHtml }>;

  /** `maxBytes` bounds the memory the cached blocks take. */
  constructor(
    private readonly prefix: string,
    maxBytes: number,
  ) {
    this.cache = new LruCache(maxBytes, (entry) => entry.block.bytes);
  }

  /** Bytes the kept blocks take. */
  get bytes(): number {
    return this.cache.weight;
  }

  block(workflow: IndexedWorkflow): CompiledHtml {
    const cached = this.cache.get(workflow.name);
    if (cached && cached.packed === workflow.packed) return cached.block;
    const block = new CompiledHtml(workflowBlock(workflow.summary(), this.prefix));
    this.cache.set(workflow.name, { packed: workflow.packed, block });
    return block;
  }
}
