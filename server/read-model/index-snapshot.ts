/**
 * The workflow index on disk, so that a restarted website serves at once instead of
 * reading every document again. One file per database:
 *
 *   "STATS2IX" | payload | header (JSON) | header length (u32) | header CRC-32 (u32) | "STATS2IX"
 *
 * The header names what the payload is a copy of (CouchDB address, database, the
 * database's incarnation, the feed sequence it is complete up to), the code that wrote it
 * (file version and a fingerprint of the modules that shape the records) and the payload's
 * length and CRC-32. A file is written under a temporary name, synced and renamed over the
 * old one, so readers (this process later, or a second website process) only ever see a
 * whole file. Numbers in the payload are little-endian.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { PostingsImage } from './postings.js';
import { VALUE_FILTERS, type TextIndexImage } from './text-index.js';
import type { Sequence } from './workflow-source.js';
import type { TableImage } from './workflow-table.js';

const MAGIC = Buffer.from('STATS2IX', 'latin1');
const TRAILER_BYTES = 8 + MAGIC.length;
const FILE_VERSION = 1;
/** The modules whose code decides what a record holds: any change to them makes old snapshots unusable. */
const RECORD_MODULES = [
  'workflow-summary.js',
  'packed-summary.js',
  'record-codec.js',
  'search-words.js',
  'text-index.js',
  'exact-values.js',
  'stored-fields.js',
  '../../workflow/lumis-mode.js',
];

/** What a snapshot is a copy of. */
export interface SnapshotIdentity {
  /** CouchDB's address, without credentials. */
  couchUrl: string;
  database: string;
  /**
   * Apache CouchDB's `instance_start_time` of the database: when it was created, so a
   * database deleted and created again (e.g. restored) has another. Undefined where the
   * server has nothing stable (pouchdb-server reports its own start time).
   */
  incarnation: string | undefined;
}

export interface SnapshotHeader extends SnapshotIdentity {
  format: 'stats2-workflow-index';
  version: number;
  codeFingerprint: string;
  /** The feed position the content is complete up to (as CouchDB gave it). */
  sequence: Sequence;
  workflows: number;
  writtenAt: string;
  payloadBytes: number;
  payloadCrc32: number;
}

/** Why a snapshot cannot be used; the website then reads the database instead. */
export class SnapshotRejected extends Error {}

let fingerprint: string | undefined;

/** A digest of the compiled modules that shape records and words. */
export async function codeFingerprint(): Promise<string> {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256').update(`file ${FILE_VERSION}\n`);
  for (const module of RECORD_MODULES)
    hash.update(await readFile(new URL(module, import.meta.url)));
  fingerprint = hash.digest('hex').slice(0, 24);
  return fingerprint;
}

export function snapshotPath(dir: string, database: string): string {
  return path.join(dir, `workflow-index-${encodeURIComponent(database)}.bin`);
}

export async function writeSnapshot(
  file: string,
  identity: SnapshotIdentity,
  sequence: Sequence,
  image: TableImage,
): Promise<number> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    const out = new PayloadWriter(handle);
    await out.raw(MAGIC);
    await writeImage(out, image);
    await out.flush();
    const header: SnapshotHeader = {
      format: 'stats2-workflow-index',
      version: FILE_VERSION,
      codeFingerprint: await codeFingerprint(),
      ...identity,
      sequence,
      workflows: image.order.length,
      writtenAt: new Date().toISOString(),
      payloadBytes: out.payloadBytes,
      payloadCrc32: out.crc,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.writeUInt32LE(headerBytes.length, 0);
    trailer.writeUInt32LE(crc32(headerBytes), 4);
    MAGIC.copy(trailer, 8);
    const end = Buffer.concat([headerBytes, trailer]);
    await handle.write(end, 0, end.length, out.position);
    await handle.sync();
    await handle.close();
    await rename(temporary, file);
    await syncDirectory(path.dirname(file));
    return MAGIC.length + out.payloadBytes + headerBytes.length + TRAILER_BYTES;
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

/** The header alone (cheap: the end of the file), checked; undefined when there is no file. */
export async function readSnapshotHeader(file: string): Promise<SnapshotHeader | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size < MAGIC.length + TRAILER_BYTES) throw new SnapshotRejected('the file is too short');
    const trailer = Buffer.alloc(TRAILER_BYTES);
    await handle.read(trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
    if (!trailer.subarray(8).equals(MAGIC)) throw new SnapshotRejected('the file is incomplete');
    const headerLength = trailer.readUInt32LE(0);
    const payloadBytes = size - MAGIC.length - TRAILER_BYTES - headerLength;
    if (payloadBytes < 0) throw new SnapshotRejected('the header length is wrong');
    const headerBytes = Buffer.alloc(headerLength);
    await handle.read(headerBytes, 0, headerLength, size - TRAILER_BYTES - headerLength);
    if (crc32(headerBytes) !== trailer.readUInt32LE(4))
      throw new SnapshotRejected('the header fails its checksum');
    let header: SnapshotHeader;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as SnapshotHeader;
    } catch {
      throw new SnapshotRejected('the header is not JSON');
    }
    if (header.format !== 'stats2-workflow-index' || header.version !== FILE_VERSION)
      throw new SnapshotRejected(
        `file format ${String(header.version)}, this code reads ${FILE_VERSION}`,
      );
    if (header.codeFingerprint !== (await codeFingerprint()))
      throw new SnapshotRejected('it was written by another version of the index code');
    if (header.payloadBytes !== payloadBytes)
      throw new SnapshotRejected('the payload length differs from the header');
    return header;
  } finally {
    await handle.close();
  }
}

/** The whole snapshot, checked against its header's checksum and for consistency. */
export async function readSnapshot(file: string, header: SnapshotHeader): Promise<TableImage> {
  const bytes = await readFile(file);
  if (bytes.length !== MAGIC.length + header.payloadBytes + TRAILER_BYTES + headerLengthOf(bytes))
    throw new SnapshotRejected('the file changed while it was read');
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new SnapshotRejected('bad start marker');
  const payload = bytes.subarray(MAGIC.length, MAGIC.length + header.payloadBytes);
  if (crc32(payload) !== header.payloadCrc32)
    throw new SnapshotRejected('the payload fails its checksum (the file is damaged)');
  try {
    const image = readImage(new PayloadReader(payload));
    if (image.order.length !== header.workflows)
      throw new SnapshotRejected('it holds another number of workflows than its header says');
    return image;
  } catch (err) {
    if (err instanceof SnapshotRejected) throw err;
    throw new SnapshotRejected(`its content is inconsistent: ${(err as Error).message}`);
  }
}

function headerLengthOf(bytes: Buffer): number {
  return bytes.length >= TRAILER_BYTES ? bytes.readUInt32LE(bytes.length - TRAILER_BYTES) : 0;
}

async function writeImage(out: PayloadWriter, image: TableImage): Promise<void> {
  out.strings(image.atoms, 'utf8');
  out.u32(image.names.length);
  for (let slot = 0; slot < image.names.length; slot++) {
    out.string(image.names[slot] as string, 'utf8');
    if (slot % 4096 === 4095) await out.flushIfFull();
  }
  out.int32s(image.records.offsets);
  out.int32s(image.records.lengths);
  await out.flush();
  await out.blob(image.records.bytes);
  out.int32s(image.order);
  await out.flushIfFull();
  writeText(out, image.text);
  out.u32(image.exact.capacity);
  out.u32(image.exact.added);
  out.uint32s(image.exact.bits);
}

function readImage(input: PayloadReader): TableImage {
  const atoms = input.strings('utf8');
  const slots = input.u32();
  const names: string[] = new Array(slots);
  for (let slot = 0; slot < slots; slot++) names[slot] = input.string('utf8');
  const offsets = input.int32s();
  const lengths = input.int32s();
  const records = { bytes: input.blob(), offsets, lengths };
  const order = input.int32s();
  const text = readText(input);
  const exact = { capacity: input.u32(), added: input.u32(), bits: input.uint32s() };
  if (!input.done) throw new RangeError('bytes left after the last section');
  return { atoms, names, records, order, text, exact };
}

function writeText(out: PayloadWriter, text: TextIndexImage): void {
  out.strings(text.words, 'utf8');
  writePostings(out, text.wordPostings);
  for (const kind of VALUE_FILTERS) writePostings(out, text.values[kind]);
}

function readText(input: PayloadReader): TextIndexImage {
  const words = input.strings('utf8');
  const wordPostings = readPostings(input);
  const values = {} as TextIndexImage['values'];
  for (const kind of VALUE_FILTERS) values[kind] = readPostings(input);
  return { words, wordPostings, values };
}

function writePostings(out: PayloadWriter, postings: PostingsImage): void {
  out.int32s(postings.sizes);
  out.int32s(postings.lists);
  out.u32(postings.bitmaps.length);
  for (const { key, count, bits } of postings.bitmaps) {
    out.u32(key);
    out.u32(count);
    out.uint32s(bits);
  }
}

function readPostings(input: PayloadReader): PostingsImage {
  const sizes = input.int32s();
  const lists = input.int32s();
  const bitmaps = Array.from({ length: input.u32() }, () => ({
    key: input.u32(),
    count: input.u32(),
    bits: input.uint32s(),
  }));
  return { sizes, lists, bitmaps };
}

/** Appends to a file through a growing buffer, keeping the payload's length and CRC-32. */
class PayloadWriter {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private at = 0;
  payloadBytes = 0;
  crc = 0;
  position = 0;

  constructor(private readonly handle: FileHandle) {}

  /** Bytes outside the payload (the start marker). */
  async raw(bytes: Buffer): Promise<void> {
    await this.handle.write(bytes, 0, bytes.length, this.position);
    this.position += bytes.length;
  }

  u32(value: number): void {
    this.room(4);
    this.buffer.writeUInt32LE(value, this.at);
    this.at += 4;
  }

  string(text: string, encoding: 'utf8' | 'latin1'): void {
    const length = Buffer.byteLength(text, encoding);
    this.u32(length);
    this.room(length);
    this.at += this.buffer.write(text, this.at, length, encoding);
  }

  strings(texts: readonly string[], encoding: 'utf8' | 'latin1'): void {
    this.u32(texts.length);
    for (const text of texts) this.string(text, encoding);
  }

  int32s(values: Int32Array): void {
    this.typed(values.length, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  uint32s(values: Uint32Array): void {
    this.typed(values.length, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  /** A length and bytes, written straight from the buffer given (after a flush). */
  async blob(bytes: Buffer): Promise<void> {
    this.u32(bytes.length);
    await this.flush();
    await this.write(bytes);
  }

  async flushIfFull(): Promise<void> {
    if (this.at >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.at === 0) return;
    await this.write(this.buffer.subarray(0, this.at));
    this.buffer = Buffer.allocUnsafe(Math.max(1 << 20, this.buffer.length));
    this.at = 0;
  }

  private typed(count: number, bytes: Uint8Array): void {
    this.u32(count);
    this.room(bytes.length);
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  private async write(bytes: Uint8Array): Promise<void> {
    this.crc = crc32(bytes, this.crc);
    this.payloadBytes += bytes.length;
    await this.handle.write(bytes, 0, bytes.length, this.position);
    this.position += bytes.length;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(bigger, 0, 0, this.at);
    this.buffer = bigger;
  }
}

class PayloadReader {
  private at = 0;

  constructor(private readonly bytes: Buffer) {}

  get done(): boolean {
    return this.at === this.bytes.length;
  }

  u32(): number {
    this.need(4);
    const value = this.bytes.readUInt32LE(this.at);
    this.at += 4;
    return value;
  }

  string(encoding: 'utf8' | 'latin1'): string {
    const length = this.u32();
    this.need(length);
    const text = this.bytes.toString(encoding, this.at, this.at + length);
    this.at += length;
    return text;
  }

  strings(encoding: 'utf8' | 'latin1'): string[] {
    return Array.from({ length: this.u32() }, () => this.string(encoding));
  }

  /** A copy: the file's buffer is not kept alive by what is read from it. */
  blob(): Buffer {
    const length = this.u32();
    this.need(length);
    const bytes = Buffer.from(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return bytes;
  }

  int32s(): Int32Array {
    const values = new Int32Array(this.u32());
    this.copyInto(values);
    return values;
  }

  uint32s(): Uint32Array {
    const values = new Uint32Array(this.u32());
    this.copyInto(values);
    return values;
  }

  private copyInto(values: Int32Array | Uint32Array): void {
    this.need(values.byteLength);
    new Uint8Array(values.buffer).set(this.bytes.subarray(this.at, this.at + values.byteLength));
    this.at += values.byteLength;
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.bytes.length) throw new RangeError('the payload ends early');
  }
}

/** Makes a rename durable; some file systems cannot sync a directory, which only weakens that. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every file system allows it; the file itself is synced.
  }
}
