/**
 * The update sequence of `reqmgr_workload_cache` (docs/upstreams.md#reqmgr2-changes-feed):
 * every document change gets the next sequence number; `_changes` shows each document once,
 * at its latest change. Sequences are opaque strings `"<N>-<opaque>"` like CouchDB 2.x/3.x.
 */
import { hexOf } from '../prng.js';

/** A document reference: a workflow index (≥ 0) or an extra document (< 0). */
export type DocRef = number;

export type SinceValue = { seq: number } | 'malformed';

const OPAQUE_PREFIX = 'g1AAAA';
const PAGE_SIZE = 4096;

export class ChangesLog {
  private refs = new Int32Array(1024);
  private count = 0;
  /** Latest sequence per workflow index, in pages so the log can grow without copying. */
  private readonly latestOfWorkflow: Uint32Array[] = [];
  private latestOfExtra = new Map<DocRef, number>();
  /**
   * A Fenwick tree over sequences counting the latest changes, so that `pending` (latest
   * changes after a page) costs O(log n) instead of a scan of the rest of the log.
   */
  private latestCounts = new Int32Array(this.refs.length + 1);

  /** `epoch` names this database incarnation: sequences from another one rewind to 0. */
  constructor(private readonly epoch: string) {}

  get currentSeq(): number {
    return this.count;
  }

  record(ref: DocRef): number {
    if (this.count === this.refs.length) this.grow();
    const previous = this.latestSeq(ref);
    if (previous > 0) this.addLatestCount(previous, -1);
    this.refs[this.count] = ref;
    this.count++;
    this.setLatest(ref, this.count);
    this.addLatestCount(this.count, 1);
    return this.count;
  }

  latestSeq(ref: DocRef): number {
    if (ref < 0) return this.latestOfExtra.get(ref) ?? 0;
    return this.latestOfWorkflow[Math.floor(ref / PAGE_SIZE)]?.[ref % PAGE_SIZE] ?? 0;
  }

  /** Rows after `since`: each document once, at its latest change, in sequence order. */
  since(
    since: number,
    limit: number,
  ): { rows: Array<{ seq: number; ref: DocRef }>; lastSeq: number; pending: number } {
    const rows: Array<{ seq: number; ref: DocRef }> = [];
    for (let seq = since + 1; seq <= this.count && rows.length < limit; seq++) {
      const ref = this.refs[seq - 1] as DocRef;
      if (this.latestSeq(ref) === seq) rows.push({ seq, ref });
    }
    if (rows.length < limit) return { rows, lastSeq: this.count, pending: 0 };
    const lastSeq = (rows[rows.length - 1] as { seq: number }).seq;
    return {
      rows,
      lastSeq,
      pending: this.latestCountUpTo(this.count) - this.latestCountUpTo(lastSeq),
    };
  }

  encode(seq: number): string {
    const payload = `${seq}:${this.epoch}:${hexOf(8, this.epoch, seq)}`;
    return `${seq}-${OPAQUE_PREFIX}${Buffer.from(payload).toString('base64url')}`;
  }

  /**
   * Parses `since` like CouchDB: optional quotes and `N-` prefix are stripped, only the
   * opaque part counts; `0` and `now` are accepted; anything undecodable is malformed.
   */
  decode(raw: string): SinceValue {
    const match = /^"?([0-9]+-)?(.*?)"?$/.exec(raw);
    const opaque = match?.[2] ?? '';
    if (opaque === '0' && match?.[1] === undefined) return { seq: 0 };
    if (opaque === 'now') return { seq: this.count };
    if (!opaque.startsWith(OPAQUE_PREFIX)) return 'malformed';
    const payload = Buffer.from(opaque.slice(OPAQUE_PREFIX.length), 'base64url').toString('utf8');
    const parts = /^(\d+):([0-9a-f]+):([0-9a-f]{8})$/.exec(payload);
    if (parts === null) return 'malformed';
    const seq = Number(parts[1]);
    const epoch = parts[2] as string;
    if (hexOf(8, epoch, seq) !== parts[3]) return 'malformed';
    // A sequence of another incarnation (shards replaced): CouchDB rewinds, so do we.
    if (epoch !== this.epoch) return { seq: 0 };
    return { seq: Math.min(seq, this.count) };
  }

  private grow(): void {
    const bigger = new Int32Array(this.refs.length * 2);
    bigger.set(this.refs);
    this.refs = bigger;
    // Rebuilt in O(n) from which sequences are latest changes.
    const counts = new Int32Array(bigger.length + 1);
    for (let seq = 1; seq <= this.count; seq++) {
      if (this.latestSeq(this.refs[seq - 1] as DocRef) === seq)
        counts[seq] = (counts[seq] as number) + 1;
      const parent = seq + (seq & -seq);
      if (parent < counts.length)
        counts[parent] = (counts[parent] as number) + (counts[seq] as number);
    }
    this.latestCounts = counts;
  }

  private addLatestCount(seq: number, delta: number): void {
    for (let i = seq; i < this.latestCounts.length; i += i & -i)
      this.latestCounts[i] = (this.latestCounts[i] as number) + delta;
  }

  private latestCountUpTo(seq: number): number {
    let total = 0;
    for (let i = seq; i > 0; i -= i & -i) total += this.latestCounts[i] as number;
    return total;
  }

  private setLatest(ref: DocRef, seq: number): void {
    if (ref < 0) {
      this.latestOfExtra.set(ref, seq);
      return;
    }
    const page = Math.floor(ref / PAGE_SIZE);
    while (this.latestOfWorkflow.length <= page)
      this.latestOfWorkflow.push(new Uint32Array(PAGE_SIZE));
    (this.latestOfWorkflow[page] as Uint32Array)[ref % PAGE_SIZE] = seq;
  }
}
