/**
 * Which workflows (slots) have a key — a word, a campaign, a type: per key a list of
 * slots, all lists in one shared Int32Array (no object per key), or, once a key is on
 * more than 1/32 of the slots, a bitmap (one bit per slot: from there on smaller than the
 * list). Query answers are SlotSets (bitmaps too), combined word by word.
 */

const MIN_LIST_ROOM = 4;
const MIN_PROMOTE_ABOVE = 64;

export class SlotSet {
  readonly words: Uint32Array;

  constructor(slots: number) {
    this.words = new Uint32Array(Math.ceil(slots / 32));
  }

  add(slot: number): void {
    const at = slot >>> 5;
    if (at < this.words.length) this.words[at] = (this.words[at] as number) | (1 << (slot & 31));
  }

  has(slot: number): boolean {
    return ((this.words[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0;
  }

  /** Keeps only the slots `other` has too. */
  and(other: SlotSet): void {
    for (let i = 0; i < this.words.length; i++)
      this.words[i] = (this.words[i] as number) & (other.words[i] ?? 0);
  }

  orWords(bits: Uint32Array): void {
    const n = Math.min(this.words.length, bits.length);
    for (let i = 0; i < n; i++) this.words[i] = (this.words[i] as number) | (bits[i] as number);
  }

  count(): number {
    let total = 0;
    for (let word of this.words) {
      word -= (word >>> 1) & 0x55555555;
      word = (word & 0x33333333) + ((word >>> 2) & 0x33333333);
      total += (((word + (word >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return total;
  }

  /** Calls `visit` with each slot, in ascending order. */
  forEach(visit: (slot: number) => void): void {
    for (let i = 0; i < this.words.length; i++) {
      let word = this.words[i] as number;
      while (word !== 0) {
        visit(i * 32 + 31 - Math.clz32(word & -word));
        word &= word - 1;
      }
    }
  }

  /** The slots in ascending order. */
  toArray(): number[] {
    const slots: number[] = [];
    for (let i = 0; i < this.words.length; i++) {
      let word = this.words[i] as number;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        slots.push(i * 32 + bit);
        word &= word - 1;
      }
    }
    return slots;
  }
}

/** What a snapshot keeps of a Postings: every list packed end to end, and the bitmaps. */
export interface PostingsImage {
  /** Per key: entries in its list, or -1 for a bitmap key. */
  sizes: Int32Array;
  lists: Int32Array;
  bitmaps: Array<{ key: number; count: number; bits: Uint32Array }>;
}

export class Postings {
  private start = new Int32Array(16);
  private size = new Int32Array(16);
  private room = new Int32Array(16);
  private readonly bitmaps = new Map<number, Uint32Array>();
  private arena = new Int32Array(1024);
  private end = 0;
  private garbage = 0;
  /** How many slots the owner has: lists longer than 1/32 of it become bitmaps. */
  slotCount = 0;

  count(key: number): number {
    return this.size[key] ?? 0;
  }

  /** Adds `slot` to `key` (the caller knows it is not there yet). */
  add(key: number, slot: number): void {
    this.ensureKey(key);
    const bitmap = this.bitmaps.get(key);
    if (bitmap) {
      this.bitmaps.set(key, setBit(bitmap, slot));
      this.size[key] = (this.size[key] as number) + 1;
      return;
    }
    const size = this.size[key] as number;
    const room = this.room[key] as number;
    if (size === room) {
      const grown = Math.max(MIN_LIST_ROOM, room * 2);
      if (grown > Math.max(MIN_PROMOTE_ABOVE, this.slotCount / 32)) {
        this.promote(key, slot);
        return;
      }
      this.move(key, grown);
    }
    this.arena[(this.start[key] as number) + size] = slot;
    this.size[key] = size + 1;
  }

  remove(key: number, slot: number): void {
    if (key >= this.size.length || this.size[key] === 0) return;
    const bitmap = this.bitmaps.get(key);
    if (bitmap) {
      const at = slot >>> 5;
      const bit = 1 << (slot & 31);
      if (at < bitmap.length && ((bitmap[at] as number) & bit) !== 0) {
        bitmap[at] = (bitmap[at] as number) & ~bit;
        this.size[key] = (this.size[key] as number) - 1;
      }
      return;
    }
    const start = this.start[key] as number;
    const last = start + (this.size[key] as number) - 1;
    for (let i = start; i <= last; i++) {
      if (this.arena[i] === slot) {
        this.arena[i] = this.arena[last] as number;
        this.size[key] = (this.size[key] as number) - 1;
        return;
      }
    }
  }

  /** Adds the slots of `key` to `set`. */
  addTo(set: SlotSet, key: number): void {
    if (this.count(key) === 0) return;
    const bitmap = this.bitmaps.get(key);
    if (bitmap) return set.orWords(bitmap);
    const start = this.start[key] as number;
    const end = start + (this.size[key] as number);
    for (let i = start; i < end; i++) set.add(this.arena[i] as number);
  }

  /** The slots of `key`, in no particular order. */
  slots(key: number): number[] {
    if (this.count(key) === 0) return [];
    const bitmap = this.bitmaps.get(key);
    if (bitmap) {
      const set = new SlotSet(bitmap.length * 32);
      set.orWords(bitmap);
      return set.toArray();
    }
    const start = this.start[key] as number;
    return Array.from(this.arena.subarray(start, start + (this.size[key] as number)));
  }

  /** A copy of everything, for a snapshot (taken at once, written later). */
  image(): PostingsImage {
    const keys = this.size.length;
    const sizes = new Int32Array(keys);
    let total = 0;
    for (let key = 0; key < keys; key++) {
      if (this.bitmaps.has(key)) sizes[key] = -1;
      else total += sizes[key] = this.size[key] as number;
    }
    const lists = new Int32Array(total);
    let at = 0;
    for (let key = 0; key < keys; key++) {
      const size = sizes[key] as number;
      if (size <= 0) continue;
      const start = this.start[key] as number;
      lists.set(this.arena.subarray(start, start + size), at);
      at += size;
    }
    const bitmaps = [...this.bitmaps].map(([key, bits]) => ({
      key,
      count: this.size[key] as number,
      bits: bits.slice(),
    }));
    return { sizes, lists, bitmaps };
  }

  static fromImage(image: PostingsImage, slotCount: number): Postings {
    const postings = new Postings();
    const keys = image.sizes.length;
    postings.slotCount = slotCount;
    postings.start = new Int32Array(Math.max(16, keys));
    postings.size = new Int32Array(postings.start.length);
    postings.room = new Int32Array(postings.start.length);
    postings.arena = new Int32Array(Math.max(1024, image.lists.length));
    postings.arena.set(image.lists);
    let at = 0;
    for (let key = 0; key < keys; key++) {
      const size = image.sizes[key] as number;
      if (size < 0) continue;
      if (at + size > image.lists.length) throw new RangeError('postings image is inconsistent');
      postings.start[key] = at;
      postings.size[key] = size;
      postings.room[key] = size;
      at += size;
    }
    if (at !== image.lists.length) throw new RangeError('postings image is inconsistent');
    postings.end = at;
    for (const { key, count, bits } of image.bitmaps) {
      if (key >= keys || image.sizes[key] !== -1)
        throw new RangeError('postings image is inconsistent');
      postings.bitmaps.set(key, bits);
      postings.size[key] = count;
    }
    return postings;
  }

  /** Bytes held (lists, free room in them, bitmaps), for the memory report. */
  get bytes(): number {
    let bitmapBytes = 0;
    for (const bits of this.bitmaps.values()) bitmapBytes += bits.byteLength;
    return this.arena.byteLength + this.start.byteLength * 3 + bitmapBytes;
  }

  private ensureKey(key: number): void {
    if (key < this.size.length) return;
    const length = Math.max(key + 1, this.size.length * 2);
    this.start = grow(this.start, length);
    this.size = grow(this.size, length);
    this.room = grow(this.room, length);
  }

  /** Gives `key`'s list `room` entries at the end of the arena. */
  private move(key: number, room: number): void {
    if (this.end + room > this.arena.length) {
      if (this.garbage > this.end / 2) this.compact();
      if (this.end + room > this.arena.length)
        this.arena = grow(
          this.arena,
          Math.max(this.end + room, Math.ceil(this.arena.length * 1.5)),
        );
    }
    const start = this.start[key] as number;
    const size = this.size[key] as number;
    this.arena.copyWithin(this.end, start, start + size);
    this.garbage += this.room[key] as number;
    this.start[key] = this.end;
    this.room[key] = room;
    this.end += room;
  }

  private promote(key: number, slot: number): void {
    let bits: Uint32Array = new Uint32Array(Math.ceil(Math.max(this.slotCount, slot + 1) / 32));
    const start = this.start[key] as number;
    const size = this.size[key] as number;
    for (let i = start; i < start + size; i++) bits = setBit(bits, this.arena[i] as number);
    this.bitmaps.set(key, setBit(bits, slot));
    this.garbage += this.room[key] as number;
    this.room[key] = 0;
    this.size[key] = size + 1;
  }

  /** Packs the lists end to end, each with room for what it holds. */
  compact(): void {
    let live = 0;
    for (let key = 0; key < this.size.length; key++)
      if (!this.bitmaps.has(key)) live += this.room[key] as number;
    const arena = new Int32Array(Math.max(1024, Math.ceil(live * 1.25)));
    let at = 0;
    for (let key = 0; key < this.size.length; key++) {
      const room = this.room[key] as number;
      if (room === 0 || this.bitmaps.has(key)) continue;
      const start = this.start[key] as number;
      arena.set(this.arena.subarray(start, start + (this.size[key] as number)), at);
      this.start[key] = at;
      at += room;
    }
    this.arena = arena;
    this.end = at;
    this.garbage = 0;
  }
}

function setBit(bits: Uint32Array, slot: number): Uint32Array {
  const at = slot >>> 5;
  if (at >= bits.length) bits = grow(bits, Math.max(at + 1, Math.ceil(bits.length * 1.25)));
  bits[at] = (bits[at] as number) | (1 << (slot & 31));
  return bits;
}

function grow<T extends Int32Array | Uint32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
