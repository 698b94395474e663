/**
 * Answers HTML pages rendered at this second, gzip-compressed for clients that accept it
 * (every browser does). A list page is ~450 KB of markup and ~15–30× smaller compressed,
 * but compressing costs far more than rendering, so a compressed page is kept for the
 * second it was rendered in (its "3d ago" texts change with the second) and shared by
 * every request for the same page of the same data in that second.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Request, Response } from 'express';
import { systemClock, unixSeconds, type Clock } from '../../lib/clock.js';
import { LruCache } from '../read-model/lru-cache.js';
import { renderPage, type PagePart } from '../render/pages/compiled-html.js';

const gzipAsync = promisify(gzip);

export class PageSender {
  private readonly compressed: LruCache<string, Buffer>;
  private readonly compressing = new Map<string, Promise<Buffer>>();

  /**
   * `maxBytes` bounds the memory the kept compressed pages take; `sent` hears of every
   * compressed page shared by the requests of its second (same-second-answers.ts);
   * `clock` is the website's (what "3d ago" counts from, and whose second a page is kept for).
   */
  constructor(
    maxBytes: number,
    private readonly sent?: (req: Request, res: Response, body: Buffer) => void,
    private readonly clock: Clock = systemClock,
  ) {
    this.compressed = new LruCache(maxBytes, (body) => body.length);
  }

  /**
   * `sameData` names everything besides the URL and the clock that the page shows (e.g.
   * the index version): requests with the same URL and `sameData` in the same second
   * share one compressed body. Without it the page is compressed for this request alone.
   */
  async send(
    req: Request,
    res: Response,
    parts: readonly PagePart[],
    sameData?: string,
  ): Promise<void> {
    const now = unixSeconds(this.clock);
    res.type('html').set({ 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' });
    if (!acceptsGzip(req)) {
      writeChunks(res, renderPage(parts, now));
      return;
    }
    const key = sameData === undefined ? undefined : `${now}\n${req.originalUrl}\n${sameData}`;
    const body = await this.gzipped(key, () => renderPage(parts, now));
    res.set({ 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) });
    res.end(body);
    if (key !== undefined) this.sent?.(req, res, body);
  }

  /** Bytes the kept compressed pages take. */
  get bytes(): number {
    return this.compressed.weight;
  }

  private gzipped(key: string | undefined, render: () => Buffer[]): Promise<Buffer> {
    if (key === undefined) return gzipAsync(Buffer.concat(render()));
    const kept = this.compressed.get(key);
    if (kept) return Promise.resolve(kept);
    let pending = this.compressing.get(key);
    if (!pending) {
      pending = gzipAsync(Buffer.concat(render()))
        .then((body) => {
          this.compressed.set(key, body);
          return body;
        })
        .finally(() => this.compressing.delete(key));
      this.compressing.set(key, pending);
    }
    return pending;
  }
}

/** Only when asked: a client that sends no Accept-Encoding gets the page as it is. */
function acceptsGzip(req: Request): boolean {
  return req.headers['accept-encoding'] !== undefined && req.acceptsEncodings('gzip') === 'gzip';
}

function writeChunks(res: Response, chunks: readonly Buffer[]): void {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  res.set('Content-Length', String(length));
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
  res.uncork();
}
