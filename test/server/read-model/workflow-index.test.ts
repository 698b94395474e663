import { expect } from 'chai';
import { CouchError } from '../../../couch/errors.js';
import { createLogger } from '../../../lib/logger.js';
import { eventChart } from '../../../server/render/event-chart.js';
import { WorkflowIndex } from '../../../server/read-model/workflow-index.js';
import type {
  DatabaseState,
  Sequence,
  WorkflowChange,
  WorkflowSource,
} from '../../../server/read-model/workflow-source.js';

/** A feed in memory with opaque string sequences, as Apache CouchDB gives them. */
class FakeSource implements WorkflowSource {
  readonly location = { couchUrl: 'http://fake', database: 'requests' };
  docs = new Map<string, unknown>();
  private revs = 0;
  feed: WorkflowChange[] = [];
  failures = 0;
  sincesSeen: Sequence[] = [];
  /** Sequences of an older incarnation of the database are refused, as CouchDB does. */
  epoch = 'g1AAAAopaque';

  write(id: string, fields: Record<string, unknown> = {}): void {
    const doc = { _id: id, _rev: `${++this.revs}-${'0'.repeat(32)}`, RequestName: id, ...fields };
    this.docs.set(id, doc);
    this.feed.push({ id, deleted: false, doc });
  }

  remove(id: string): void {
    this.docs.delete(id);
    this.feed.push({ id, deleted: true, doc: { _id: id, _deleted: true } });
  }

  async state(): Promise<DatabaseState> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('CouchDB cannot be reached');
    }
    return {
      sequence: `${this.feed.length}-${this.epoch}`,
      documents: this.docs.size,
      incarnation: undefined,
    };
  }

  async *revisions(pageSize: number): AsyncIterable<Array<{ id: string; rev: string }>> {
    const all = [...this.docs.values()] as Array<{ _id: string; _rev: string }>;
    for (let i = 0; i < all.length; i += pageSize)
      yield all.slice(i, i + pageSize).map((doc) => ({ id: doc._id, rev: doc._rev }));
  }

  async revisionsOf(ids: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of ids) {
      const doc = this.docs.get(id) as { _rev: string } | undefined;
      if (doc) found.set(id, doc._rev);
    }
    return found;
  }

  async documents(ids: readonly string[]): Promise<unknown[]> {
    return ids.flatMap((id) => (this.docs.has(id) ? [this.docs.get(id)] : []));
  }

  /** The database deleted and created again (e.g. restored from a backup). */
  recreate(ids: string[]): void {
    this.docs.clear();
    this.feed = [];
    this.epoch = 'g1BBBBnew';
    for (const id of ids) this.write(id);
  }

  async *readAll(pageSize: number): AsyncIterable<unknown[]> {
    const all = [...this.docs.values()];
    for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
  }

  async changesSince(
    since: Sequence,
    limit: number,
  ): Promise<{ changes: WorkflowChange[]; lastSequence: Sequence }> {
    this.sincesSeen.push(since);
    const [count, epoch] = String(since).split('-');
    if (epoch !== this.epoch)
      throw new CouchError(
        'reading the changes feed',
        400,
        'bad_request',
        "Malformed sequence supplied in 'since' parameter.",
      );
    const from = Number(count);
    const changes = this.feed.slice(from, from + limit);
    return { changes, lastSequence: `${from + changes.length}-${this.epoch}` };
  }
}

const logger = createLogger({ level: 'silent' });

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 3000) throw new Error('the index did not get there within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('website: the workflow index', () => {
  it('reads everything, then applies changes and deletions from the feed, passing sequences back verbatim', async () => {
    const source = new FakeSource();
    for (const id of ['c', 'a', 'b']) source.write(id);
    const index = new WorkflowIndex({ source, logger, pollIntervalMs: 10, batchSize: 2 });
    await index.start();
    try {
      expect(index.slice(0, 10).map((w) => w.name)).to.deep.equal(['a', 'b', 'c']);
      const version = index.version;
      source.write('_design/_designDoc');
      source.write('aa', { RequestType: 'ReReco' });
      source.remove('b');
      source.write('c', { RequestPriority: 7 });
      source.write('d');
      source.remove('d');
      // Once the index asks for changes after the last one, it has applied them all.
      await until(() => source.sincesSeen.includes(`${source.feed.length}-g1AAAAopaque`));
      expect(index.slice(0, 10).map((w) => w.name)).to.deep.equal(['a', 'aa', 'c']);
      expect(index.slice(0, 10)[2]?.packed).to.equal(index.find('c')?.packed);
      const c = index.find('c');
      expect(c?.summary().priority).to.equal(7);
      expect(index.find('_design/_designDoc')).to.equal(undefined);
      expect(index.version).to.be.above(version);
      expect(index.slice(1, 1).map((w) => w.name)).to.deep.equal(['aa']);
      expect(
        source.sincesSeen.every((s) => typeof s === 'string' && s.endsWith('-g1AAAAopaque')),
      ).to.equal(true);
      expect(index.status()).to.include({ state: 'ready', workflows: 3 });
    } finally {
      await index.stop();
    }
  });

  it('reads everything again when CouchDB refuses its sequence (database recreated)', async () => {
    const source = new FakeSource();
    for (const id of ['old1', 'old2']) source.write(id);
    const index = new WorkflowIndex({ source, logger, pollIntervalMs: 10 });
    await index.start();
    try {
      source.recreate(['new1']);
      await until(() => index.find('new1') !== undefined);
      expect(index.slice(0, 10).map((w) => w.name)).to.deep.equal(['new1']);
      expect(index.ready).to.equal(true);
    } finally {
      await index.stop();
    }
  });

  it('keeps trying when CouchDB cannot be read at start', async () => {
    const source = new FakeSource();
    source.write('a');
    source.failures = 2;
    const index = new WorkflowIndex({ source, logger, pollIntervalMs: 10, maxRetryDelayMs: 20 });
    expect(index.ready).to.equal(false);
    await index.start();
    expect(index.ready).to.equal(true);
    expect(index.size).to.equal(1);
    await index.stop();
  });

  it('charts: an empty history says so; long histories are thinned', () => {
    expect(
      eventChart([], { title: 't', unit: 'events', target: 10, tone: 'type-valid' }).value,
    ).to.include('No events recorded yet.');
    const points = Array.from({ length: 5000 }, (_, i) => ({
      time: 1_700_000_000 + i * 600,
      value: i * 10,
    }));
    const svg = eventChart(points, {
      title: '/a/b/AOD',
      unit: 'events',
      target: 60_000,
      tone: 'type-valid',
    }).value;
    expect(svg).to.match(/^<svg class="chart type-valid"/);
    expect(svg.length).to.be.below(40_000);
    expect(svg).to.include('expected 60,000');
    expect(svg).not.to.include('<circle');
  });
});
