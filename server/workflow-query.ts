/**
 * Which workflows a list, fetch or markdown request means, in display order: all of them
 * (the index's RequestName order), or the names a filter's view answers, sorted by the
 * date-time part of RequestName for the filters that ask for it. View answers are cached
 * until the index sees the next change, and identical queries in flight are shared.
 */
import type { WorkflowRepository } from '../couch/workflows.js';
import { requestDateKey } from '../updater/request-date.js';
import { DATE_SORTED_FILTERS, FILTER_VIEWS, type Filter, type ViewFilterName } from './filters.js';
import { LruCache } from './lru-cache.js';
import type { IndexedWorkflow, WorkflowIndex } from './workflow-index.js';

export const PAGE_SIZE = 100;

export interface WorkflowPage {
  workflows: IndexedWorkflow[];
  /** Workflows matching the filter (all workflows without one). */
  total: number;
  page: number;
  hasNext: boolean;
}

export interface WorkflowQueryOptions {
  index: WorkflowIndex;
  workflows: WorkflowRepository;
  /** How many names the cache of view answers may hold in all. */
  cachedNames?: number;
}

interface CachedAnswer {
  version: number;
  names: readonly string[];
}

export class WorkflowQueries {
  private readonly index: WorkflowIndex;
  private readonly workflows: WorkflowRepository;
  private readonly answers: LruCache<string, CachedAnswer>;
  private readonly inFlight = new Map<string, Promise<readonly string[]>>();

  constructor(options: WorkflowQueryOptions) {
    this.index = options.index;
    this.workflows = options.workflows;
    this.answers = new LruCache(
      options.cachedNames ?? 2_000_000,
      (answer) => answer.names.length + 1,
    );
  }

  async page(
    filter: Filter | undefined,
    page: number,
    pageSize = PAGE_SIZE,
  ): Promise<WorkflowPage> {
    const offset = page * pageSize;
    if (filter === undefined) {
      const total = this.index.size;
      return {
        workflows: this.index.slice(offset, pageSize),
        total,
        page,
        hasNext: offset + pageSize < total,
      };
    }
    const names = await this.names(filter);
    return {
      workflows: this.summariesOf(names.slice(offset, offset + pageSize)),
      total: names.length,
      page,
      hasNext: offset + pageSize < names.length,
    };
  }

  /** The first `limit` matching workflows. */
  async first(filter: Filter | undefined, limit: number): Promise<IndexedWorkflow[]> {
    return (await this.page(filter, 0, limit)).workflows;
  }

  /** Names matching a filter, in display order. */
  async names(filter: Filter): Promise<readonly string[]> {
    if (filter.name === 'workflow_name') return this.index.find(filter.value) ? [filter.value] : [];
    return this.viewAnswer(filter.name, filter.value);
  }

  /** Whether any workflow matches (search uses this for each filter in turn). */
  async matches(filter: ViewFilterName, value: string): Promise<boolean> {
    return (await this.viewAnswer(filter, value)).length > 0;
  }

  private summariesOf(names: readonly string[]): IndexedWorkflow[] {
    const found: IndexedWorkflow[] = [];
    for (const name of names) {
      // A name the view already has but the feed has not brought yet is left out for now.
      const workflow = this.index.find(name);
      if (workflow) found.push(workflow);
    }
    return found;
  }

  private viewAnswer(filter: ViewFilterName, value: string): Promise<readonly string[]> {
    const key = `${filter}\u0000${value}`;
    const version = this.index.version;
    const cached = this.answers.get(key);
    if (cached && cached.version === version) return Promise.resolve(cached.names);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const query = this.workflows
      .namesByKey(FILTER_VIEWS[filter], value)
      .then((names) => {
        const ordered = DATE_SORTED_FILTERS.has(filter) ? sortByRequestDate(names) : names;
        this.answers.set(key, { version, names: ordered });
        return ordered;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, query);
    return query;
  }
}

/** Oldest first by the date-time part of RequestName; equal dates keep the view's order. */
function sortByRequestDate(names: readonly string[]): string[] {
  return names
    .map((name, position) => ({ name, position, key: requestDateKey(name) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position))
    .map((entry) => entry.name);
}
