/**
 * A compact string → integers multimap: only the 32-bit hash of each key is kept (in
 * typed arrays), so 10^6 dataset or request names cost a few MB instead of the strings.
 * Lookups return candidates; the caller regenerates each candidate's key to confirm.
 */
import { hashOf } from '../prng.js';

const EMPTY = -1;

export class HashIndex {
  private hashes: Uint32Array;
  private values: Int32Array;
  private used = 0;

  constructor(expectedSize = 1024) {
    let capacity = 1024;
    while (capacity * 0.6 < expectedSize) capacity *= 2;
    this.hashes = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(EMPTY);
  }

  /** Adds `value` (≥ 0) under `key`; adding the same pair twice keeps one. */
  add(key: string, value: number): void {
    if (value < 0) throw new RangeError(`HashIndex values must be >= 0, got ${value}`);
    const hash = hashOf(key);
    if (this.contains(hash, value)) return;
    if ((this.used + 1) / this.values.length > 0.6) this.grow();
    this.insert(hash, value);
  }

  candidates(key: string): number[] {
    const hash = hashOf(key);
    const out: number[] = [];
    const mask = this.values.length - 1;
    for (let slot = hash & mask; this.values[slot] !== EMPTY; slot = (slot + 1) & mask) {
      const value = this.values[slot] as number;
      if (this.hashes[slot] === hash) out.push(value);
    }
    return out;
  }

  private contains(hash: number, value: number): boolean {
    const mask = this.values.length - 1;
    for (let slot = hash & mask; this.values[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === hash && this.values[slot] === value) return true;
    }
    return false;
  }

  private insert(hash: number, value: number): void {
    const mask = this.values.length - 1;
    let slot = hash & mask;
    while (this.values[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.values[slot] = value;
    this.used++;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldValues = this.values;
    this.hashes = new Uint32Array(oldHashes.length * 2);
    this.values = new Int32Array(oldValues.length * 2).fill(EMPTY);
    this.used = 0;
    for (let i = 0; i < oldValues.length; i++) {
      const value = oldValues[i] as number;
      if (value >= 0) this.insert(oldHashes[i] as number, value);
    }
  }
}
