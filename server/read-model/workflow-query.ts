/**
 * Which workflows a list, fetch or markdown request means, in display order: all of them
 * (the index's RequestName order), or those one filter selects — answered from the
 * in-process index exactly as the filter's view (`_designDoc`) would, and sorted by the
 * date-time part of RequestName for the filters that ask for it. Answers are cached
 * until the index changes.
 */
import { requestDateKey } from '../../workflow/request-date.js';
import { DATE_SORTED_FILTERS, type Filter, type ViewFilterName } from './filters.js';
import { LruCache } from './lru-cache.js';
import { exactValueBytes } from './packed-summary.js';
import type { SlotSet } from './postings.js';
import { hasLetter, wordsOf } from './search-words.js';
import { VALUE_FILTERS, type ValueFilter } from './text-index.js';
import type { IndexedWorkflow, WorkflowIndex } from './workflow-index.js';
import type { WorkflowSummary } from './workflow-summary.js';
import type { WorkflowTable } from './workflow-table.js';

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
  /** How many names the cache of filter answers may hold in all. */
  cachedNames?: number;
}

interface CachedAnswer {
  version: number;
  names: readonly string[];
}

export class WorkflowQueries {
  private readonly index: WorkflowIndex;
  private readonly answers: LruCache<string, CachedAnswer>;

  constructor(options: WorkflowQueryOptions) {
    this.index = options.index;
    this.answers = new LruCache(
      options.cachedNames ?? 500_000,
      (answer) => answer.names.length + 1,
    );
  }

  page(filter: Filter | undefined, page: number, pageSize = PAGE_SIZE): WorkflowPage {
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
    const names = this.names(filter);
    return {
      workflows: this.summariesOf(names.slice(offset, offset + pageSize)),
      total: names.length,
      page,
      hasNext: offset + pageSize < names.length,
    };
  }

  /** The first `limit` matching workflows. */
  first(filter: Filter | undefined, limit: number): IndexedWorkflow[] {
    return this.page(filter, 0, limit).workflows;
  }

  /** Names matching a filter, in display order. */
  names(filter: Filter): readonly string[] {
    if (filter.name === 'workflow_name') return this.index.find(filter.value) ? [filter.value] : [];
    const key = `${filter.name}\u0000${filter.value}`;
    const version = this.index.version;
    const cached = this.answers.get(key);
    if (cached && cached.version === version) return cached.names;
    const names = filterNames(this.index.workflows, filter.name, filter.value);
    const ordered = DATE_SORTED_FILTERS.has(filter.name) ? sortByRequestDate(names) : names;
    this.answers.set(key, { version, names: ordered });
    return ordered;
  }

  /** Whether any workflow matches (search uses this for each filter in turn). */
  matches(filter: ViewFilterName, value: string): boolean {
    return this.names({ name: filter, value }).length > 0;
  }

  private summariesOf(names: readonly string[]): IndexedWorkflow[] {
    const found: IndexedWorkflow[] = [];
    for (const name of names) {
      const workflow = this.index.find(name);
      if (workflow) found.push(workflow);
    }
    return found;
  }
}

/** What a filter's view lists, from the index: names in RequestName order. */
function filterNames(table: WorkflowTable, filter: ViewFilterName, value: string): string[] {
  let slots: number[];
  if (isValueFilter(filter)) {
    const atom = table.atoms.find(value);
    slots = atom === undefined ? [] : table.text.valueSlots(filter, atom);
  } else if (!table.mayHaveExact(filter, value)) {
    slots = [];
  } else {
    const check = exactCheck(filter, value);
    // Cheap tests before unpacking a candidate: the value in the name (PrepIDs and
    // requests mostly are), or its bytes in the record.
    const inName = filter !== 'output_dataset';
    const bytes = exactValueBytes(filter, value);
    slots = candidates(table, value)
      .toArray()
      .filter((slot) => {
        const mayHold =
          (inName && (table.nameAt(slot) as string).includes(value)) ||
          table.recordContains(slot, bytes);
        return mayHold && check((table.at(slot) as IndexedWorkflow).summary());
      });
  }
  return slots.map((slot) => table.nameAt(slot) as string).sort(compareNames);
}

function isValueFilter(filter: ViewFilterName): filter is ValueFilter {
  return (VALUE_FILTERS as readonly string[]).includes(filter);
}

/** Slots that have every word (with a letter) of `value`; every slot when it has none. */
function candidates(table: WorkflowTable, value: string): SlotSet {
  const words = [...new Set(wordsOf(value).filter(hasLetter))];
  if (words.length === 0) return table.liveSlots();
  words.sort((a, b) => table.text.wordCount(a) - table.text.wordCount(b));
  let result: SlotSet | undefined;
  for (const word of words) {
    const slots = table.emptySlots();
    table.text.addWordSlots(slots, word);
    if (result) result.and(slots);
    else result = slots;
  }
  return result as SlotSet;
}

function exactCheck(
  filter: Exclude<ViewFilterName, ValueFilter>,
  value: string,
): (s: WorkflowSummary) => boolean {
  switch (filter) {
    case 'prepid':
      return (s) => s.filterable && s.prepid === value;
    case 'request':
      return (s) => s.filterable && s.requests.includes(value);
    case 'output_dataset':
      return (s) => s.filterable && s.datasetsListed && s.datasets.some((d) => d.name === value);
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Oldest first by the date-time part of RequestName; equal dates keep the view's order. */
function sortByRequestDate(names: readonly string[]): string[] {
  return names
    .map((name, position) => ({ name, position, key: requestDateKey(name) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.position - b.position))
    .map((entry) => entry.name);
}
