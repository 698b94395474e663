/**
 * Counts the HTTP requests this process sends to some origins (CouchDB, the upstream
 * simulator), by kind, through undici's diagnostics channels (nano's fetch and our undici
 * agents both publish there), and reports each request, from its start on the wire to
 * the end of its answer, to an ActivityClock. Nothing in the product knows.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ActivityClock } from './activity-clock.js';

interface UndiciRequest {
  origin?: unknown;
  method?: string;
  path?: string;
}

const CHANNELS = {
  create: 'undici:request:create',
  done: 'undici:request:trailers',
  error: 'undici:request:error',
} as const;

/** `_bulk_docs`, `_all_docs`, `view`, `_changes`, `doc` (one document), or `other`. */
export function requestKind(method: string, path: string): string {
  const [route = ''] = path.split('?');
  if (route.includes('/_view/')) return 'view';
  const special = /\/(_bulk_docs|_all_docs|_changes|_bulk_get|_find|_local)\b/.exec(route);
  if (special) return special[1] as string;
  const segments = route.split('/').filter(Boolean);
  if (segments.length >= 2 && !(segments[1] as string).startsWith('_')) return `doc ${method}`;
  if (segments.length >= 3 && segments[1] === '_design') return `doc ${method}`;
  return 'other';
}

export class HttpTraffic {
  private readonly counts = new Map<string, number>();
  private readonly totalMs = new Map<string, number>();
  /** Kind and start of each request on the wire. */
  private readonly inFlight = new WeakMap<object, { kind: string; started: number }>();
  private readonly onCreate = (message: unknown) =>
    this.started((message as { request: UndiciRequest }).request);
  private readonly onDone = (message: unknown) =>
    this.finished((message as { request: UndiciRequest }).request);

  private readonly origins: Set<string>;

  /** `activity` names these requests in the clock. */
  constructor(
    origins: readonly string[],
    private readonly activity: string,
    private readonly clock?: ActivityClock,
  ) {
    this.origins = new Set(origins.map((origin) => new URL(origin).origin));
    diagnosticsChannel.subscribe(CHANNELS.create, this.onCreate);
    diagnosticsChannel.subscribe(CHANNELS.done, this.onDone);
    diagnosticsChannel.subscribe(CHANNELS.error, this.onDone);
  }

  /** Requests per kind since the start or the last reset. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Milliseconds on the wire per kind (summed over requests, so overlapping ones add up). */
  durations(): Record<string, number> {
    return Object.fromEntries([...this.totalMs].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
    this.totalMs.clear();
  }

  close(): void {
    diagnosticsChannel.unsubscribe(CHANNELS.create, this.onCreate);
    diagnosticsChannel.unsubscribe(CHANNELS.done, this.onDone);
    diagnosticsChannel.unsubscribe(CHANNELS.error, this.onDone);
  }

  private started(request: UndiciRequest): void {
    if (!this.origins.has(String(request.origin).replace(/\/+$/, ''))) return;
    const kind = requestKind(request.method ?? 'GET', request.path ?? '/');
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.inFlight.set(request, { kind, started: performance.now() });
    this.clock?.begin(this.activity);
  }

  private finished(request: UndiciRequest): void {
    const flight = this.inFlight.get(request);
    if (flight === undefined) return;
    this.inFlight.delete(request);
    this.totalMs.set(
      flight.kind,
      (this.totalMs.get(flight.kind) ?? 0) + performance.now() - flight.started,
    );
    this.clock?.end(this.activity);
  }
}
