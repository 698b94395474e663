/**
 * The content of the workflow index: per workflow a slot with its name and packed record
 * (packed-summary.ts), all names in order (any list page is a slice), the shared atoms,
 * and the text index that filters and search look slots up in. It changes only through
 * `apply`; `image()` copies it at once for a snapshot and `fromImage` restores one.
 */
import { AtomTable } from './atom-table.js';
import { ExactValues, type ExactField, type ExactValuesImage } from './exact-values.js';
import { packSummary, revisionOf, unpackSummary, type PackedSummary } from './packed-summary.js';
import { SlotSet } from './postings.js';
import { RecordArena, type ArenaImage } from './record-arena.js';
import { SortedNames } from './sorted-names.js';
import { TextIndex, type TextIndexImage } from './text-index.js';
import { summarizeWorkflow, type WorkflowSummary } from './workflow-summary.js';

/** A workflow as the index holds it; `packed` changes (as a value) exactly when its record does. */
export class IndexedWorkflow {
  constructor(
    readonly name: string,
    readonly packed: PackedSummary,
    private readonly atoms: AtomTable,
  ) {}

  summary(): WorkflowSummary {
    return unpackSummary(this.name, this.packed, this.atoms);
  }

  /** The `_rev` of the document the record was made from. */
  get revision(): string | undefined {
    return revisionOf(this.packed);
  }
}

/** A document's state as the feed or a read tells it: its body, or deleted. */
export interface DocumentState {
  id: string;
  deleted: boolean;
  doc: unknown;
}

export interface TableImage {
  atoms: string[];
  /** By slot: the name ('' for a free slot). */
  names: string[];
  records: ArenaImage;
  /** Slots in name order. */
  order: Int32Array;
  text: TextIndexImage;
  exact: ExactValuesImage;
}

/** Room in the exact-value filter per workflow (each has ~5: PrepID, requests, datasets). */
const EXACT_VALUES_PER_WORKFLOW = 8;

export class WorkflowTable {
  readonly atoms: AtomTable;
  private readonly slots = new Map<string, number>();
  private readonly names: Array<string | undefined> = [];

  private records = new RecordArena();
  private readonly free: number[] = [];
  private readonly order = new SortedNames();
  readonly text: TextIndex;
  private exact: ExactValues;

  /** `expected`: about how many workflows it will hold (sizes the exact-value filter). */
  constructor(
    expected = 0,
    atoms = new AtomTable(),
    text = new TextIndex(),
    exact = new ExactValues(EXACT_VALUES_PER_WORKFLOW * expected),
  ) {
    this.atoms = atoms;
    this.text = text;
    this.exact = exact;
  }

  /** Where the table's memory goes (the JavaScript objects of names and atoms aside). */
  memoryUse(): {
    records: number;
    postings: number;
    exactValues: number;
    atoms: number;
    words: number;
  } {
    return {
      records: this.records.capacity,
      postings: this.text.postingBytes,
      exactValues: this.exact.bytes,
      atoms: this.atoms.size,
      words: this.text.wordsKept,
    };
  }

  /** False when no workflow has `value` as `field` (then no candidate needs a look). */
  mayHaveExact(field: ExactField, value: string): boolean {
    return this.exact.mayHave(field, value);
  }

  get size(): number {
    return this.slots.size;
  }

  /** One more than the highest slot in use (slots are reused after deletions). */
  get slotCount(): number {
    return this.names.length;
  }

  find(name: string): IndexedWorkflow | undefined {
    const slot = this.slots.get(name);
    return slot === undefined ? undefined : this.at(slot);
  }

  at(slot: number): IndexedWorkflow | undefined {
    const name = this.names[slot];
    const record = this.records.get(slot) as PackedSummary | undefined;
    return name === undefined || record === undefined
      ? undefined
      : new IndexedWorkflow(name, record, this.atoms);
  }

  /** Whether the record of `slot` contains `bytes` (see exactValueBytes). */
  recordContains(slot: number, bytes: Buffer): boolean {
    return this.records.contains(slot, bytes);
  }

  slotOf(name: string): number | undefined {
    return this.slots.get(name);
  }

  nameAt(slot: number): string | undefined {
    return this.names[slot];
  }

  /** Every name, in order. */
  orderedNames(): string[] {
    return this.order.slice(0, this.order.length);
  }

  /** Workflows `offset … offset+limit` of all, in RequestName order. */
  slice(offset: number, limit: number): IndexedWorkflow[] {
    return this.order
      .slice(offset, offset + limit)
      .map((name) => this.find(name) as IndexedWorkflow);
  }

  /** A set able to hold every slot, empty. */
  emptySlots(): SlotSet {
    return new SlotSet(this.names.length);
  }

  /** Every slot in use. */
  liveSlots(): SlotSet {
    const set = new SlotSet(this.names.length);
    for (let slot = 0; slot < this.names.length; slot++)
      if (this.names[slot] !== undefined) set.add(slot);
    return set;
  }

  /** Applies documents' current states; returns how many workflows changed. */
  apply(states: readonly DocumentState[]): number {
    const presentBefore = new Map<string, boolean>();
    let changed = 0;
    for (const state of states) {
      if (state.id.startsWith('_design/')) continue;
      if (!presentBefore.has(state.id)) presentBefore.set(state.id, this.slots.has(state.id));
      const summary = state.deleted ? undefined : summarizeWorkflow(state.doc);
      if (summary && summary.name === state.id) {
        if (this.put(summary, revisionFrom(state.doc))) changed++;
      } else if (this.remove(state.id)) changed++;
    }
    const added: string[] = [];
    const removed: string[] = [];
    for (const [name, before] of presentBefore) {
      const now = this.slots.has(name);
      if (now && !before) added.push(name);
      if (before && !now) removed.push(name);
    }
    this.order.removeMany(removed);
    this.order.addMany(added);
    if (this.exact.overfull) this.rebuildExactValues();
    return changed;
  }

  /** Removes workflows (those the database no longer has); returns how many were here. */
  removeAll(names: readonly string[]): number {
    const removed = names.filter((name) => this.remove(name));
    this.order.removeMany(removed);
    return removed.length;
  }

  /** Packs the text index's lists after a full read (their growth leaves gaps). */
  compact(): void {
    this.text.compact();
  }

  /** A copy of everything, taken at once (the strings are shared: they never change). */
  image(): TableImage {
    const order = new Int32Array(this.order.length);
    this.order.slice(0, this.order.length).forEach((name, i) => {
      order[i] = this.slots.get(name) as number;
    });
    return {
      atoms: this.atoms.all(),
      names: this.names.map((name) => name ?? ''),
      records: this.records.image(this.names.length),
      order,
      text: this.text.image(),
      exact: this.exact.image(),
    };
  }

  static fromImage(image: TableImage): WorkflowTable {
    const slots = image.names.length;
    if (image.records.offsets.length !== slots)
      throw new RangeError('names and records differ in number');
    const table = new WorkflowTable(
      0,
      new AtomTable(image.atoms),
      TextIndex.fromImage(image.text, slots),
      ExactValues.fromImage(image.exact),
    );
    if (table.atoms.size !== image.atoms.length) throw new RangeError('repeated atom in image');
    for (let slot = 0; slot < slots; slot++) {
      const name = image.names[slot] as string;
      const hasRecord = (image.records.lengths[slot] as number) >= 0;
      if (name === '') {
        if (hasRecord) throw new RangeError(`free slot ${slot} has a record`);
        table.names.push(undefined);
        table.free.push(slot);
        continue;
      }
      if (!hasRecord) throw new RangeError(`${name} has no record`);
      if (table.slots.has(name)) throw new RangeError(`${name} is in two slots`);
      table.slots.set(name, slot);
      table.names.push(name);
    }
    table.records = RecordArena.fromImage(image.records);
    const ordered: string[] = [];
    let previous: string | undefined;
    for (const slot of image.order) {
      const name = table.names[slot];
      if (name === undefined || (previous !== undefined && previous >= name))
        throw new RangeError('the name order is not sorted or names a free slot');
      ordered.push(name);
      previous = name;
    }
    if (ordered.length !== table.slots.size) throw new RangeError('the name order misses names');
    table.order.resetSorted(ordered);
    table.text.slotCount = slots;
    if (table.exact.overfull) table.rebuildExactValues();
    return table;
  }

  /** A new exact-value filter with room to grow, from every record (about 3 µs each). */
  private rebuildExactValues(): void {
    this.exact = new ExactValues(EXACT_VALUES_PER_WORKFLOW * Math.max(1024, this.size * 1.5));
    for (let slot = 0; slot < this.names.length; slot++) {
      const workflow = this.at(slot);
      if (workflow) addExactValues(this.exact, workflow.summary());
    }
  }

  private put(summary: WorkflowSummary, revision: string | undefined): boolean {
    const packed = packSummary(summary, revision, this.atoms);
    let slot = this.slots.get(summary.name);
    let before: WorkflowSummary | undefined;
    if (slot !== undefined) {
      const old = this.records.get(slot) as PackedSummary;
      if (old === packed) return false;
      before = unpackSummary(summary.name, old, this.atoms);
    } else {
      slot = this.free.pop() ?? this.names.length;
      if (slot === this.names.length) {
        this.names.push(undefined);
        this.text.slotCount = this.names.length;
      }
      this.names[slot] = summary.name;
      this.slots.set(summary.name, slot);
    }
    this.records.set(slot, packed);
    this.text.update(slot, before, summary, this.atoms);
    addExactValues(this.exact, summary);
    return true;
  }

  private remove(name: string): boolean {
    const slot = this.slots.get(name);
    if (slot === undefined) return false;
    const before = unpackSummary(name, this.records.get(slot) as PackedSummary, this.atoms);
    this.text.update(slot, before, undefined, this.atoms);
    this.slots.delete(name);
    this.names[slot] = undefined;
    this.records.delete(slot);
    this.free.push(slot);
    return true;
  }
}

function addExactValues(exact: ExactValues, s: WorkflowSummary): void {
  if (!s.filterable) return;
  if (s.prepid !== undefined) exact.add('prepid', s.prepid);
  for (const request of s.requests) exact.add('request', request);
  if (s.datasetsListed) for (const dataset of s.datasets) exact.add('output_dataset', dataset.name);
}

function revisionFrom(doc: unknown): string | undefined {
  const rev = (doc as { _rev?: unknown } | null)?._rev;
  return typeof rev === 'string' ? rev : undefined;
}
