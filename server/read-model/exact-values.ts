/**
 * Which PrepIDs, requests and output datasets some workflow has, as a Bloom filter (12
 * bits and 8 hashes per value: one false "maybe" in ~300): the filters and search's
 * exact cascade ask it before looking through candidates, so a value nobody has costs
 * microseconds, not a pass over every workflow that shares its words. It never forgets a
 * value (a stale "maybe" only costs that pass); it is built again, larger, when it has
 * taken more values than it was sized for.
 */

export type ExactField = 'prepid' | 'request' | 'output_dataset';

const BITS_PER_VALUE = 12;
const HASHES = 8;
const FIELD_CODES: Record<ExactField, number> = { prepid: 1, request: 2, output_dataset: 3 };

export interface ExactValuesImage {
  capacity: number;
  added: number;
  bits: Uint32Array;
}

export class ExactValues {
  private readonly bits: Uint32Array;
  private readonly size: number;
  private added = 0;

  /** Sized for `capacity` values. */
  constructor(readonly capacity: number) {
    this.bits = new Uint32Array(Math.ceil((Math.max(1024, capacity) * BITS_PER_VALUE) / 32));
    this.size = this.bits.length * 32;
  }

  /** It took more values than it was sized for: false "maybe"s grow more frequent. */
  get overfull(): boolean {
    return this.added > this.capacity;
  }

  get bytes(): number {
    return this.bits.byteLength;
  }

  add(field: ExactField, value: string): void {
    const [first, step] = hashes(field, value);
    for (let i = 0; i < HASHES; i++) {
      const bit = (first + i * step) % this.size;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
    this.added++;
  }

  /** False when no workflow has `value` as `field`; true when one may. */
  mayHave(field: ExactField, value: string): boolean {
    const [first, step] = hashes(field, value);
    for (let i = 0; i < HASHES; i++) {
      const bit = (first + i * step) % this.size;
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  image(): ExactValuesImage {
    return { capacity: this.capacity, added: this.added, bits: this.bits.slice() };
  }

  static fromImage(image: ExactValuesImage): ExactValues {
    const values = new ExactValues(image.capacity);
    if (values.bits.length !== image.bits.length)
      throw new RangeError('the exact-value filter has the wrong size');
    values.bits.set(image.bits);
    values.added = image.added;
    return values;
  }
}

/** Two independent 32-bit hashes (FNV-1a and a multiplicative one) for double hashing. */
function hashes(field: ExactField, value: string): [number, number] {
  let a = 0x811c9dc5 ^ FIELD_CODES[field];
  let b = 0x9e3779b9 ^ FIELD_CODES[field];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b + code, 0x5bd1e995) ^ (b >>> 15);
  }
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  return [a >>> 0, (b | 1) >>> 0];
}
