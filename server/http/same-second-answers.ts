/**
 * Pages answered in this second, replayed to the next identical requests before Express
 * sees them. A page is made for the second it is sent in ("3s ago"), and the page sender
 * already gives every request for the same URL and data in that second the same
 * compressed bytes; what each request still cost was the way there: routing, middleware,
 * headers, the page's context (~0.2 ms of CPU, most of an in-memory answer). A replay
 * writes the kept status line, headers and body at once.
 *
 * An answer is kept only when nothing a page shows changed while it was made, and every
 * kept answer is dropped when the second turns or when that changes (`dataVersion`: the
 * index, the update runs, the staleness). So a replay is never older than the second it
 * is sent in, and never older than what the index holds.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SameSecondAnswersOptions {
  /** Moves whenever anything a page shows may change. */
  dataVersion: () => string;
  /** Bound on the bodies kept at once (they live for the rest of one second). */
  maxBytes: number;
  /** Counts a replayed answer (the metrics' route label of the answer it repeats). */
  onReplay?: (route: string, seconds: number) => void;
  /** The website's clock, the page sender's: pages are kept for the second they were rendered in. */
  now?: () => number;
}

interface KeptAnswer {
  headers: OutgoingHttpHeaders;
  body: Buffer;
  route: string;
}

/** When a request that found nothing to replay was asked: its answer may be kept for then. */
interface Asked {
  second: number;
  version: string;
}

export class SameSecondAnswers {
  private second = Number.NaN;
  private version = '';
  private bytes = 0;
  private readonly answers = new Map<string, KeptAnswer>();
  private readonly asked = new WeakMap<IncomingMessage, Asked>();
  private readonly now: () => number;

  constructor(private readonly options: SameSecondAnswersOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Sends the kept answer to `req` and returns true; false when there is none. */
  replay(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const started = performance.now();
    this.forgetWhatChanged(this.now());
    const kept = this.answers.get(keyOf(req));
    if (kept === undefined) {
      this.asked.set(req, { second: this.second, version: this.version });
      return false;
    }
    res.writeHead(200, kept.headers);
    res.end(kept.body);
    this.options.onReplay?.(kept.route, (performance.now() - started) / 1000);
    return true;
  }

  /**
   * Keeps the answer `res` just sent to `req` for the rest of the second, when it is a 200
   * and the second and what pages show are still those of when `req` was asked.
   */
  keep(req: IncomingMessage, res: ServerResponse, body: Buffer, route: string): void {
    const asked = this.asked.get(req);
    if (asked === undefined || res.statusCode !== 200) return;
    this.forgetWhatChanged(this.now());
    if (asked.second !== this.second || asked.version !== this.version) return;
    if (this.bytes + body.length > this.options.maxBytes) return;
    const key = keyOf(req);
    if (this.answers.has(key)) return;
    this.answers.set(key, { headers: res.getHeaders(), body, route });
    this.bytes += body.length;
  }

  /** Answers kept now (for tests and the memory report). */
  get size(): number {
    return this.answers.size;
  }

  private forgetWhatChanged(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const version = this.options.dataVersion();
    if (second === this.second && version === this.version) return;
    this.second = second;
    this.version = version;
    this.answers.clear();
    this.bytes = 0;
  }
}

/**
 * The same URL asked with the same Accept-Encoding gets the same bytes. (Inside Express
 * `url` is what is left below the router's mount path; `originalUrl` is what was asked.)
 */
function keyOf(req: IncomingMessage & { originalUrl?: string }): string {
  return `${req.originalUrl ?? req.url ?? ''}\n${req.headers['accept-encoding'] ?? ''}`;
}
