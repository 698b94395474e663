/**
 * `search?q=`, from the in-process index. First the original's cascade: the first filter
 * under which some workflow has exactly `q` (prepid, output dataset, input dataset,
 * campaign, type, processing string, request), then a workflow named `q`. When nothing is
 * exactly `q`, the workflows in which each whitespace-separated term of `q` occurs,
 * ignoring case, in the name, PrepID, a request, an output or input dataset, a campaign or
 * the processing string: those where a word starts with each term first, then by name.
 *
 * How: a term's words with a letter are looked up among the distinct words of all
 * workflows (text-index.ts), whose slots are combined; a term of one such word needs
 * nothing more. A term with several words or punctuation (`Run2017F-UL2017`) is checked
 * on each candidate's unpacked summary; a term of digits alone (`00123`, `240115`) is
 * looked for in the names. Checking stops after MAX_CHECKED candidates: the count is then
 * a lower bound. Answers are cached until the index changes.
 */
import { SEARCH_ORDER, type Filter } from './filters.js';
import { LruCache } from './lru-cache.js';
import type { SlotSet } from './postings.js';
import { hasLetter, wordsOf } from './search-words.js';
import type { IndexedWorkflow, WorkflowIndex } from './workflow-index.js';
import type { WorkflowQueries } from './workflow-query.js';
import type { WorkflowSummary } from './workflow-summary.js';
import type { WorkflowTable } from './workflow-table.js';

export const SEARCH_LIMIT = { default: 100, max: 500 };
const MAX_CHECKED = 5_000;

export interface SearchResult {
  query: string;
  /** The filter that has exactly `query` (the original's cascade), if one does. */
  exact: Filter | undefined;
  /** Workflows matching otherwise (none when `exact` is set). */
  count: number;
  /** `count` is a lower bound: the query was too broad to check every candidate. */
  countIsLowerBound: boolean;
  /** The first `limit` of them, best first. */
  workflows: IndexedWorkflow[];
}

interface CachedSearch {
  version: number;
  exact: Filter | undefined;
  count: number;
  countIsLowerBound: boolean;
  names: string[];
}

export class WorkflowSearch {
  private readonly answers = new LruCache<string, CachedSearch>(
    200_000,
    (answer) => answer.names.length + 1,
  );

  constructor(
    private readonly index: WorkflowIndex,
    private readonly queries: WorkflowQueries,
  ) {}

  search(query: string, limit: number): SearchResult {
    const key = `${limit}\u0000${query}`;
    const version = this.index.version;
    let answer = this.answers.get(key);
    if (!answer || answer.version !== version) {
      answer = { version, ...this.answer(query, limit) };
      this.answers.set(key, answer);
    }
    const workflows: IndexedWorkflow[] = [];
    for (const name of answer.names) {
      const workflow = this.index.find(name);
      if (workflow) workflows.push(workflow);
    }
    return {
      query,
      exact: answer.exact,
      count: answer.count,
      countIsLowerBound: answer.countIsLowerBound,
      workflows,
    };
  }

  private answer(query: string, limit: number): Omit<CachedSearch, 'version'> {
    for (const name of SEARCH_ORDER) {
      if (this.queries.matches(name, query))
        return { exact: { name, value: query }, count: 0, countIsLowerBound: false, names: [] };
    }
    if (this.index.find(query))
      return {
        exact: { name: 'workflow_name', value: query },
        count: 0,
        countIsLowerBound: false,
        names: [],
      };
    return { exact: undefined, ...containing(this.index.workflows, query, limit) };
  }
}

function containing(
  table: WorkflowTable,
  query: string,
  limit: number,
): { count: number; countIsLowerBound: boolean; names: string[] } {
  const terms = [
    ...new Set(
      query
        .toLowerCase()
        .split(/\s+/)
        .filter((term) => term !== ''),
    ),
  ];
  let matching: SlotSet | undefined;
  let startsWith: SlotSet | undefined;
  const toCheck: string[] = [];
  const inNames: string[] = [];
  for (const term of terms) {
    const words = wordsOf(term);
    const lettered = words.filter(hasLetter);
    if (lettered.length === 0) {
      if (words.length > 0) inNames.push(term);
      continue;
    }
    if (!(words.length === 1 && words[0] === term)) toCheck.push(term);
    for (const word of lettered) {
      const { prefix, inner } = table.text.wordsContaining(word);
      const starting = table.emptySlots();
      for (const id of prefix) table.text.addWordIdSlots(starting, id);
      const any = table.emptySlots();
      any.orWords(starting.words);
      for (const id of inner) table.text.addWordIdSlots(any, id);
      if (matching) matching.and(any);
      else matching = any;
      if (startsWith) startsWith.and(starting);
      else startsWith = starting;
    }
  }
  if (terms.length === 0 || (matching === undefined && inNames.length === 0))
    return { count: 0, countIsLowerBound: false, names: [] };
  const found = matching ?? table.liveSlots();
  if (inNames.length === 0 && toCheck.length === 0) {
    // The usual case: nothing to check one by one, the set is the answer.
    return {
      count: found.count(),
      countIsLowerBound: false,
      names: firstByName(table, found, startsWith, limit),
    };
  }
  let slots: number[] = [];
  if (inNames.length > 0) {
    // Digits alone (no letter: nothing to lower-case): in the names, which carry PrepIDs,
    // dates and serials.
    found.forEach((slot) => {
      const name = table.nameAt(slot);
      if (name !== undefined && inNames.every((term) => name.includes(term))) slots.push(slot);
    });
  } else slots = found.toArray();
  let countIsLowerBound = false;
  if (toCheck.length > 0) {
    if (slots.length > MAX_CHECKED) {
      slots = slots.slice(0, MAX_CHECKED);
      countIsLowerBound = true;
    }
    slots = slots.filter((slot) => {
      const name = table.nameAt(slot) as string;
      const lowerName = name.toLowerCase();
      if (toCheck.every((term) => lowerName.includes(term))) return true;
      const texts = searchedTexts((table.at(slot) as IndexedWorkflow).summary());
      return toCheck.every((term) => texts.some((text) => text.includes(term)));
    });
  }
  const checked = table.emptySlots();
  for (const slot of slots) checked.add(slot);
  return {
    count: slots.length,
    countIsLowerBound,
    names: firstByName(table, checked, startsWith, limit),
  };
}

/** The fields search looks in, lower case. */
function searchedTexts(s: WorkflowSummary): string[] {
  const texts = [s.name, s.prepid, ...s.requests, ...s.datasets.map((d) => d.name)];
  texts.push(s.inputDataset, ...s.campaigns, s.processingString);
  return texts.filter((text): text is string => text !== undefined).map((t) => t.toLowerCase());
}

/** The `limit` best: those in `first` (words starting with the terms) before the rest, each by name. */
function firstByName(
  table: WorkflowTable,
  slots: SlotSet,
  first: SlotSet | undefined,
  limit: number,
): string[] {
  const better = new TopNames(limit);
  const rest = new TopNames(limit);
  slots.forEach((slot) => {
    const name = table.nameAt(slot) as string;
    if (first?.has(slot)) better.offer(name);
    else rest.offer(name);
  });
  return [...better.names, ...rest.names].slice(0, limit);
}

/** The `limit` smallest names offered, in order. */
class TopNames {
  readonly names: string[] = [];

  constructor(private readonly limit: number) {}

  offer(name: string): void {
    const names = this.names;
    if (names.length === this.limit && name >= (names[names.length - 1] as string)) return;
    let low = 0;
    let high = names.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((names[mid] as string) < name) low = mid + 1;
      else high = mid;
    }
    names.splice(low, 0, name);
    if (names.length > this.limit) names.pop();
  }
}

/** A workflow in a list of results, with where the query's first term occurs in it. */
export interface WorkflowSearchHit {
  name: string;
  /** The first field (after the name, which is shown anyway) that contains the term. */
  match: { field: string; text: string; at: number; length: number } | undefined;
}

export function searchHits(result: SearchResult): WorkflowSearchHit[] {
  const term =
    result.query
      .toLowerCase()
      .split(/\s+/)
      .find((part) => part !== '') ?? '';
  return result.workflows.map((workflow) => {
    if (workflow.name.toLowerCase().includes(term))
      return { name: workflow.name, match: undefined };
    const s = workflow.summary();
    const fields: Array<[string, string | undefined]> = [
      ['PrepID', s.prepid],
      ...s.requests.map((r): [string, string] => ['request', r]),
      ...s.datasets.map((d): [string, string] => ['output dataset', d.name]),
      ['input dataset', s.inputDataset],
      ...s.campaigns.map((c): [string, string] => ['campaign', c]),
      ['processing string', s.processingString],
    ];
    for (const [field, text] of fields) {
      if (text === undefined) continue;
      const lower = text.toLowerCase();
      const at = lower.indexOf(term);
      if (at >= 0 && lower.length === text.length)
        return { name: workflow.name, match: { field, text, at, length: term.length } };
    }
    return { name: workflow.name, match: undefined };
  });
}
