/**
 * Every slot's record (packed-summary.ts) in one growing buffer outside the JavaScript
 * heap: no object per record for the garbage collector to allocate, move or mark, and a
 * snapshot writes and reads the buffer as it is. A changed record is appended and its old
 * bytes left behind; they are reclaimed when they make up a quarter of the buffer.
 */

export interface ArenaImage {
  /** The records end to end (free slots take no bytes). */
  bytes: Buffer;
  /** Per slot: byte offset in `bytes` and length, -1 for a free slot. */
  offsets: Int32Array;
  lengths: Int32Array;
}

export class RecordArena {
  private bytes: Buffer = Buffer.allocUnsafe(1 << 16);
  private end = 0;
  private garbage = 0;
  private offsets: Int32Array = new Int32Array(1024);
  private lengths: Int32Array = new Int32Array(1024).fill(-1);

  get(slot: number): string | undefined {
    const length = this.lengths[slot] ?? -1;
    if (length < 0) return undefined;
    const offset = this.offsets[slot] as number;
    return this.bytes.toString('latin1', offset, offset + length);
  }

  set(slot: number, record: string): void {
    this.delete(slot);
    this.ensureSlot(slot);
    this.ensureRoom(record.length);
    this.bytes.write(record, this.end, 'latin1');
    this.offsets[slot] = this.end;
    this.lengths[slot] = record.length;
    this.end += record.length;
  }

  /** Whether the record of `slot` contains `bytes` (without making a string of it). */
  contains(slot: number, bytes: Buffer): boolean {
    const length = this.lengths[slot] ?? -1;
    if (length < bytes.length) return false;
    const offset = this.offsets[slot] as number;
    return this.bytes.subarray(offset, offset + length).includes(bytes);
  }

  delete(slot: number): void {
    const length = this.lengths[slot] ?? -1;
    if (length < 0) return;
    this.garbage += length;
    this.lengths[slot] = -1;
  }

  /** Bytes held, the reclaimable ones included. */
  get capacity(): number {
    return this.bytes.length + this.offsets.byteLength + this.lengths.byteLength;
  }

  /** A compact copy, for a snapshot. */
  image(slots: number): ArenaImage {
    const offsets = new Int32Array(slots);
    const lengths = new Int32Array(slots).fill(-1);
    let live = 0;
    for (let slot = 0; slot < slots; slot++) live += Math.max(0, this.lengths[slot] ?? -1);
    const bytes = Buffer.allocUnsafe(live);
    let at = 0;
    for (let slot = 0; slot < slots; slot++) {
      const length = this.lengths[slot] ?? -1;
      if (length < 0) continue;
      const offset = this.offsets[slot] as number;
      this.bytes.copy(bytes, at, offset, offset + length);
      offsets[slot] = at;
      lengths[slot] = length;
      at += length;
    }
    return { bytes, offsets, lengths };
  }

  static fromImage(image: ArenaImage): RecordArena {
    const arena = new RecordArena();
    const slots = image.offsets.length;
    if (image.lengths.length !== slots) throw new RangeError('record offsets and lengths differ');
    for (let slot = 0; slot < slots; slot++) {
      const length = image.lengths[slot] as number;
      const offset = image.offsets[slot] as number;
      if (length >= 0 && (offset < 0 || offset + length > image.bytes.length))
        throw new RangeError(`record ${slot} lies outside the records`);
    }
    arena.bytes = image.bytes;
    arena.end = image.bytes.length;
    arena.offsets = image.offsets;
    arena.lengths = image.lengths;
    return arena;
  }

  private ensureSlot(slot: number): void {
    if (slot < this.lengths.length) return;
    const length = Math.max(slot + 1, this.lengths.length * 2);
    const offsets = new Int32Array(length);
    offsets.set(this.offsets);
    const lengths = new Int32Array(length).fill(-1);
    lengths.set(this.lengths);
    this.offsets = offsets;
    this.lengths = lengths;
  }

  private ensureRoom(bytes: number): void {
    if (this.end + bytes <= this.bytes.length) return;
    if (this.garbage > this.end / 4) this.compact();
    if (this.end + bytes <= this.bytes.length) return;
    // Small steps: a snapshot's arena is exactly full, and most records change in place.
    const bigger = Buffer.allocUnsafe(
      Math.max(this.end + bytes + (1 << 20), Math.ceil(this.bytes.length * 1.125)),
    );
    this.bytes.copy(bigger, 0, 0, this.end);
    this.bytes = bigger;
  }

  private compact(): void {
    const { bytes, offsets, lengths } = this.image(this.lengths.length);
    const room = Buffer.allocUnsafe(Math.max(1 << 16, bytes.length + (1 << 20)));
    bytes.copy(room);
    this.bytes = room;
    this.end = bytes.length;
    this.garbage = 0;
    this.offsets = offsets;
    this.lengths = lengths;
  }
}
