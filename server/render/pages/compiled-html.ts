/**
 * Markup rendered once and answered many times. "3d ago" texts are the only parts of a
 * page that change with the clock, so they are rendered as slots (NUL-delimited unix
 * times, which escaped text can never contain) and filled when a page is answered. A
 * compiled piece holds its static parts as views of one UTF-8 buffer of its own (not
 * slices of Node's shared pool, which a long-kept piece would pin), so answering it is
 * copying.
 */
import { formatAgo } from '../format.js';
import { SafeHtml } from '../html.js';

const SLOT = '\u0000';

/** The elapsed time since `unixSeconds`, filled in when the page is answered. */
export function agoSlot(unixSeconds: number): SafeHtml {
  return new SafeHtml(`${SLOT}${unixSeconds}${SLOT}`);
}

export class CompiledHtml {
  private readonly chunks: Buffer[] = [];
  private readonly times: number[] = [];
  readonly bytes: number;

  constructor(markup: SafeHtml) {
    const parts = markup.value.split(SLOT);
    const texts = parts.filter((_, i) => i % 2 === 0);
    for (let i = 1; i < parts.length; i += 2) this.times.push(Number(parts[i]));
    let bytes = 0;
    for (const text of texts) bytes += Buffer.byteLength(text, 'utf8');
    const all = Buffer.allocUnsafeSlow(bytes);
    let at = 0;
    for (const text of texts) {
      const length = all.write(text, at, 'utf8');
      this.chunks.push(all.subarray(at, at + length));
      at += length;
    }
    this.bytes = bytes;
  }

  appendTo(out: Buffer[], now: number): void {
    for (let i = 0; i < this.chunks.length; i++) {
      out.push(this.chunks[i] as Buffer);
      if (i < this.times.length)
        out.push(Buffer.from(formatAgo(this.times[i] as number, now), 'latin1'));
    }
  }
}

/** The pieces of a page: fresh markup (compiled on the way out) or compiled pieces. */
export type PagePart = SafeHtml | CompiledHtml;

/** The page's bytes at `now`, as chunks (copying them into one buffer would be wasted work). */
export function renderPage(parts: readonly PagePart[], now: number): Buffer[] {
  const out: Buffer[] = [];
  for (const part of parts)
    (part instanceof CompiledHtml ? part : new CompiledHtml(part)).appendTo(out, now);
  return out;
}
