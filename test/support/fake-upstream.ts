/**
 * An in-process ReqMgr2 + DBS + WMStats for testing the update run's rules against the
 * real CouchDB without TLS: a changes log with opaque string sequences, request
 * documents, dataset numbers, and failures injected per call. (The simulator in sim/
 * tests the same run over real HTTPS.)
 */
import type { DatasetListRow, DbsFileRow, DbsFileSummary } from '../../updater/lookups.js';
import type {
  CallbackNotifier,
  ChangesPage,
  UpdaterUpstream,
} from '../../updater/upstream-port.js';

export interface FakeDataset {
  access: string;
  events: number;
  size: number;
  lumis: number;
  modified: number;
}

export class FakeUpstream implements UpdaterUpstream {
  readonly requests = new Map<string, Record<string, unknown>>();
  readonly datasets = new Map<string, FakeDataset>();
  active: string[] = [];
  readonly log: Array<{ id: string; deleted: boolean }> = [];
  /**
   * Calls that fail: `request:<name>`, `fileSummaries:<dataset>`, `datasetList` (every
   * one), `datasetList:<dataset>` (every one asking about that dataset, as dbs2go fails a
   * whole query for one bad dataset), `activeWorkflows`, `datasetsModifiedSince`.
   */
  readonly failing = new Set<string>();
  readonly calls: string[] = [];

  put(doc: Record<string, unknown>): void {
    this.requests.set(doc.RequestName as string, doc);
    this.log.push({ id: doc.RequestName as string, deleted: false });
  }

  remove(name: string): void {
    this.requests.delete(name);
    this.log.push({ id: name, deleted: true });
  }

  setDataset(name: string, dataset: Partial<FakeDataset>): void {
    const current = this.datasets.get(name) ?? {
      access: 'PRODUCTION',
      events: 0,
      size: 0,
      lumis: 0,
      modified: 0,
    };
    this.datasets.set(name, { ...current, ...dataset });
  }

  async changes(since: string | number, limit: number): Promise<ChangesPage> {
    this.calls.push(`changes:${since}`);
    const start = parseSeq(since);
    // Latest change of each id only, as CouchDB does.
    const latest = new Map<string, { seq: number; deleted: boolean }>();
    this.log.forEach((change, index) => {
      if (index + 1 > start) {
        latest.delete(change.id);
        latest.set(change.id, { seq: index + 1, deleted: change.deleted });
      }
    });
    const rows = [...latest].sort((a, b) => a[1].seq - b[1].seq).slice(0, limit);
    const last = rows.at(-1)?.[1].seq ?? Math.max(start, 0);
    return {
      results: rows.map(([id, c]) => ({
        seq: seqString(c.seq),
        id,
        ...(c.deleted ? { deleted: true } : {}),
      })),
      last_seq: seqString(last),
      pending: [...latest.values()].filter((c) => c.seq > last).length,
    };
  }

  async request(name: string): Promise<unknown> {
    this.maybeFail(`request:${name}`);
    const doc = this.requests.get(name);
    if (!doc) throw Object.assign(new Error(`${name} not found`), { notFound: true });
    return structuredClone(doc);
  }

  async requestsByPrepId(
    prepId: string,
    masks: readonly string[],
  ): Promise<Record<string, Record<string, unknown>>> {
    const result: Record<string, Record<string, unknown>> = {};
    for (const doc of this.requests.values()) {
      if (doc.PrepID === prepId)
        result[doc.RequestName as string] = Object.fromEntries(
          masks.map((m) => [m, doc[m] ?? null]),
        );
    }
    return result;
  }

  async activeWorkflows(): Promise<string[]> {
    this.maybeFail('activeWorkflows');
    return [...this.active];
  }

  async datasetList(datasets: readonly string[]): Promise<DatasetListRow[]> {
    this.calls.push(`datasetList:${datasets.length}`);
    this.maybeFail('datasetList');
    const bad = datasets.find((d) => this.failing.has(`datasetList:${d}`));
    if (bad !== undefined) throw new Error(`injected failure of datasetList:${bad}`);
    return datasets.flatMap((d) => {
      const known = this.datasets.get(d);
      return known ? [{ dataset: d, dataset_access_type: known.access }] : [];
    });
  }

  async fileSummaries(dataset: string, validFileOnly: boolean): Promise<DbsFileSummary> {
    this.calls.push(`fileSummaries:${dataset}:${validFileOnly}`);
    this.maybeFail(`fileSummaries:${dataset}`);
    const known = this.datasets.get(dataset);
    if (!known || (validFileOnly && !['VALID', 'PRODUCTION'].includes(known.access)))
      return { num_event: 0, file_size: 0, num_lumi: 0 };
    return { num_event: known.events, file_size: known.size, num_lumi: known.lumis };
  }

  async files(): Promise<DbsFileRow[]> {
    return [];
  }

  async datasetsModifiedSince(epochSeconds: number): Promise<string[]> {
    this.maybeFail('datasetsModifiedSince');
    return [...this.datasets].filter(([, d]) => d.modified > epochSeconds).map(([name]) => name);
  }

  private maybeFail(call: string): void {
    this.calls.push(call);
    if (this.failing.has(call)) throw new Error(`injected failure of ${call}`);
  }
}

/** Records notifications instead of sending them. */
export class RecordingNotifier implements CallbackNotifier {
  readonly sent: Array<{ name: string; target: string }> = [];

  async notify(
    workflow: { _id: string; PrepID?: string | null },
    target: 'prod' | 'dev',
  ): Promise<{ sent: boolean }> {
    this.sent.push({ name: workflow._id, target });
    return { sent: true };
  }
}

function seqString(n: number): string {
  return `${n}-g1AAAA${Buffer.from(`seq:${n}`).toString('base64url')}`;
}

function parseSeq(since: string | number): number {
  if (since === 0 || since === '0') return 0;
  const match = /^(\d+)-g1AAAA/.exec(String(since));
  if (!match)
    throw Object.assign(new Error('Malformed sequence supplied in since parameter.'), {
      code: 'MALFORMED_SINCE',
    });
  return Number(match[1]);
}
