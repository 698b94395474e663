/**
 * What search and the filters look workflows up by, in memory:
 * - every word (search-words.ts) of each workflow's name, PrepID, requests, datasets,
 *   campaigns and processing string, with the slots that have it; a fragment of a word
 *   is found by scanning the distinct words once (they are few: a word is shared by many
 *   workflows), then their slots are combined;
 * - for the filters whose values many workflows share (campaign, type, processing
 *   string, input dataset), the slots of each value (an atom), exactly as the views
 *   list them. PrepID, request and output dataset filters start from the words of the
 *   value and check the candidates (workflow-table.ts).
 */
import type { AtomTable } from './atom-table.js';
import { Postings, SlotSet, type PostingsImage } from './postings.js';
import { hasLetter, wordsOf } from './search-words.js';
import type { WorkflowSummary } from './workflow-summary.js';

export const VALUE_FILTERS = ['campaign', 'type', 'processing_string', 'input_dataset'] as const;
export type ValueFilter = (typeof VALUE_FILTERS)[number];

export interface TextIndexImage {
  words: string[];
  wordPostings: PostingsImage;
  values: Record<ValueFilter, PostingsImage>;
}

/** Words that contain a fragment: those that start with it, and the others. */
export interface WordMatches {
  prefix: number[];
  inner: number[];
}

export class TextIndex {
  private readonly wordIds = new Map<string, number>();
  private readonly words: string[] = [];
  private wordPostings = new Postings();
  private values: Record<ValueFilter, Postings> = {
    campaign: new Postings(),
    type: new Postings(),
    processing_string: new Postings(),
    input_dataset: new Postings(),
  };
  private haystack: { text: string; starts: Int32Array; words: number } | undefined;

  set slotCount(slots: number) {
    this.wordPostings.slotCount = slots;
    for (const kind of VALUE_FILTERS) this.values[kind].slotCount = slots;
  }

  /** Moves `slot` from what `before` says of it to what `after` says (either may be absent). */
  update(
    slot: number,
    before: WorkflowSummary | undefined,
    after: WorkflowSummary | undefined,
    atoms: AtomTable,
  ): void {
    const oldWords = before ? summaryWords(before) : new Set<string>();
    const newWords = after ? summaryWords(after) : new Set<string>();
    for (const word of oldWords) {
      if (newWords.has(word)) continue;
      const id = this.wordIds.get(word);
      if (id !== undefined) this.wordPostings.remove(id, slot);
    }
    for (const word of newWords)
      if (!oldWords.has(word)) this.wordPostings.add(this.wordId(word), slot);
    const oldValues = before ? summaryValues(before, atoms) : undefined;
    const newValues = after ? summaryValues(after, atoms) : undefined;
    for (const kind of VALUE_FILTERS) {
      const was = oldValues?.[kind] ?? [];
      const now = newValues?.[kind] ?? [];
      for (const id of was) if (!now.includes(id)) this.values[kind].remove(id, slot);
      for (const id of now) if (!was.includes(id)) this.values[kind].add(id, slot);
    }
  }

  /** Slots whose `kind` is the atom `value`, as the filter's view lists them. */
  valueSlots(kind: ValueFilter, value: number): number[] {
    return this.values[kind].slots(value);
  }

  /** Slots that have the whole word `word`. */
  addWordSlots(set: SlotSet, word: string): boolean {
    const id = this.wordIds.get(word);
    if (id === undefined) return false;
    this.wordPostings.addTo(set, id);
    return true;
  }

  wordCount(word: string): number {
    const id = this.wordIds.get(word);
    return id === undefined ? 0 : this.wordPostings.count(id);
  }

  addWordIdSlots(set: SlotSet, id: number): void {
    this.wordPostings.addTo(set, id);
  }

  /** The words (ids) that contain `fragment` (lower case, letters and digits only). */
  wordsContaining(fragment: string): WordMatches {
    const { text, starts } = this.currentHaystack();
    const matches: WordMatches = { prefix: [], inner: [] };
    let from = 0;
    for (;;) {
      const at = text.indexOf(fragment, from);
      if (at < 0) return matches;
      const id = upperBound(starts, at) - 1;
      if (this.wordPostings.count(id) > 0) {
        (at === starts[id] ? matches.prefix : matches.inner).push(id);
      }
      from = (starts[id + 1] as number | undefined) ?? text.length;
    }
  }

  image(): TextIndexImage {
    return {
      words: this.words.slice(),
      wordPostings: this.wordPostings.image(),
      values: {
        campaign: this.values.campaign.image(),
        type: this.values.type.image(),
        processing_string: this.values.processing_string.image(),
        input_dataset: this.values.input_dataset.image(),
      },
    };
  }

  static fromImage(image: TextIndexImage, slots: number): TextIndex {
    const index = new TextIndex();
    for (const word of image.words) index.wordId(word);
    if (index.words.length !== image.words.length) throw new RangeError('repeated word in image');
    index.wordPostings = Postings.fromImage(image.wordPostings, slots);
    for (const kind of VALUE_FILTERS)
      index.values[kind] = Postings.fromImage(image.values[kind], slots);
    return index;
  }

  compact(): void {
    this.wordPostings.compact();
    for (const kind of VALUE_FILTERS) this.values[kind].compact();
  }

  /** Bytes of the postings (the words themselves aside), for the memory report. */
  get postingBytes(): number {
    let bytes = this.wordPostings.bytes;
    for (const kind of VALUE_FILTERS) bytes += this.values[kind].bytes;
    return bytes;
  }

  get wordsKept(): number {
    return this.words.length;
  }

  private wordId(word: string): number {
    let id = this.wordIds.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.wordIds.set(word, id);
    }
    return id;
  }

  /** Every word in one string, `\n` before each, rebuilt when words were added. */
  private currentHaystack(): { text: string; starts: Int32Array } {
    if (this.haystack?.words === this.words.length) return this.haystack;
    const starts = new Int32Array(this.words.length);
    let length = 0;
    for (let id = 0; id < this.words.length; id++) {
      starts[id] = length + 1;
      length += 1 + (this.words[id] as string).length;
    }
    this.haystack = { text: `\n${this.words.join('\n')}`, starts, words: this.words.length };
    return this.haystack;
  }
}

/** The words search finds a workflow by. */
export function summaryWords(s: WorkflowSummary): Set<string> {
  const words = new Set<string>();
  const add = (text: string | undefined) => {
    if (text === undefined) return;
    for (const word of wordsOf(text)) if (hasLetter(word)) words.add(word);
  };
  add(s.name);
  add(s.prepid);
  for (const request of s.requests) add(request);
  for (const dataset of s.datasets) add(dataset.name);
  add(s.inputDataset);
  for (const campaign of s.campaigns) add(campaign);
  add(s.processingString);
  return words;
}

/** The atoms a workflow is listed under by each value filter (nothing unless it has a RequestName). */
function summaryValues(s: WorkflowSummary, atoms: AtomTable): Record<ValueFilter, number[]> {
  const id = (text: string | undefined) => (text === undefined ? [] : [atoms.id(text)]);
  if (!s.filterable) return { campaign: [], type: [], processing_string: [], input_dataset: [] };
  return {
    campaign: s.campaigns.map((campaign) => atoms.id(campaign)),
    type: id(s.type),
    processing_string: id(s.processingString),
    input_dataset: id(s.inputDataset),
  };
}

/** The first index whose value is greater than `value` (`values` ascending). */
function upperBound(values: Int32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
