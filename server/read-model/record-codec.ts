/**
 * The byte format of the index's records: varints, nullable numbers and strings, and
 * atom references, written into a reused buffer and kept as a one-byte (latin1) string:
 * one flat allocation per record that the garbage collector never looks inside.
 */

const NONE = 0;
const NON_NEGATIVE = 1;
const NEGATIVE = 2;
const FLOAT = 3;

export class RecordWriter {
  private buffer = Buffer.allocUnsafe(1024);
  private at = 0;

  reset(): this {
    this.at = 0;
    return this;
  }

  /** The record so far, as the string the index keeps. */
  finish(): string {
    return this.buffer.toString('latin1', 0, this.at);
  }

  byte(value: number): void {
    this.room(1);
    this.buffer[this.at++] = value;
  }

  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
  }

  /** A whole number from 0 to 2^53. */
  varint(value: number): void {
    this.room(8);
    while (value >= 0x80) {
      this.buffer[this.at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.at++] = value;
  }

  number(value: number | undefined): void {
    if (value === undefined) return this.byte(NONE);
    if (Number.isSafeInteger(value)) {
      this.byte(value >= 0 ? NON_NEGATIVE : NEGATIVE);
      return this.varint(Math.abs(value));
    }
    this.byte(FLOAT);
    this.room(8);
    this.buffer.writeDoubleLE(value, this.at);
    this.at += 8;
  }

  string(value: string | undefined): void {
    if (value === undefined) return this.varint(0);
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length + 1);
    this.room(length);
    this.at += this.buffer.write(value, this.at, length, 'utf8');
  }

  /** An atom id, or none. */
  atom(id: number | undefined): void {
    this.varint(id === undefined ? 0 : id + 1);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }
}

/** Reads a record straight from its string (each character is one byte). */
export class RecordReader {
  private at = 0;

  constructor(private readonly record: string) {}

  byte(): number {
    if (this.at >= this.record.length) throw new RangeError('record ends early');
    return this.record.charCodeAt(this.at++);
  }

  /** `length` bytes as lower-case hex digits. */
  hex(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += this.byte().toString(16).padStart(2, '0');
    return text;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  number(): number | undefined {
    switch (this.byte()) {
      case NONE:
        return undefined;
      case NON_NEGATIVE:
        return this.varint();
      case NEGATIVE:
        return -this.varint();
      case FLOAT:
        return Buffer.from(this.take(8), 'latin1').readDoubleLE(0);
      default:
        throw new RangeError('unknown number tag in record');
    }
  }

  string(): string | undefined {
    const length = this.varint();
    if (length === 0) return undefined;
    const bytes = this.take(length - 1);
    // ASCII (nearly every name CMS uses) reads as it is; anything else is UTF-8 to decode.
    return isAscii(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
  }

  atom(): number | undefined {
    const id = this.varint();
    return id === 0 ? undefined : id - 1;
  }

  private take(length: number): string {
    if (this.at + length > this.record.length) throw new RangeError('record ends early');
    const bytes = this.record.slice(this.at, this.at + length);
    this.at += length;
    return bytes;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
