import { expect } from 'chai';
import { createRequire } from 'node:module';
import { compileDesignDoc } from '../../couch/design.js';
import { embeddedMapReduce } from '../../couch/embedded-mapreduce.js';
import { grownWorkflow, storedWorkflow } from '../../bench/website/stored-workflows.js';

/** pouchdb-server's own packages, as the embedded server loads them. */
const fromServer = createRequire(
  createRequire(import.meta.url).resolve('pouchdb-server/package.json'),
);

interface Database {
  bulkDocs(docs: unknown[]): Promise<Array<{ ok?: boolean; id: string; rev?: string }>>;
  put(doc: unknown): Promise<unknown>;
  get(id: string): Promise<{ _id: string; _rev: string }>;
  remove(doc: { _id: string; _rev: string }): Promise<unknown>;
  destroy(): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface QueryResult {
  total_rows?: number;
  rows: Array<{ key: unknown; value: unknown; id?: string }>;
}
type Query = (
  this: Database,
  view: string,
  options?: Record<string, unknown>,
) => Promise<QueryResult>;
interface Plugin {
  query: Query;
}

const PouchDB = (
  fromServer('pouchdb-core') as { plugin(p: unknown): new (name: string) => Database }
).plugin(fromServer('pouchdb-adapter-memory'));
const pouchdbMapreduce = fromServer('pouchdb-mapreduce') as Plugin;
const ours = embeddedMapReduce(fromServer.resolve('pouchdb-mapreduce/package.json')) as Plugin;

let databases = 0;
async function database(docs: unknown[]): Promise<Database> {
  const db = new PouchDB(`embedded-mapreduce-test-${process.pid}-${++databases}`);
  if (docs.length > 0) await db.bulkDocs(docs);
  return db;
}

function designDoc(name: string): unknown {
  const { deploy: _deploy, ...content } = compileDesignDoc(name);
  return content;
}

/** Workflows as the updater stores them, and documents an old or broken writer left. */
function workflows(now: number): unknown[] {
  return [
    ...Array.from({ length: 150 }, (_, i) => storedWorkflow(i, now, 1 + (i % 12))),
    { _id: 'no-history', RequestName: 'no-history', Campaigns: ['A'], OutputDatasets: ['/a/b/C'] },
    {
      _id: 'nulls',
      RequestName: 'nulls',
      Campaigns: null,
      EventNumberHistory: [null, { Time: null }],
    },
    { _id: 'not-an-object-history', RequestName: 'x', EventNumberHistory: 'soon' },
  ];
}

const ALL_VIEWS: Array<[string, string]> = [
  ...Object.keys(compileDesignDoc('_designDoc').views ?? {}).map((view): [string, string] => [
    '_designDoc',
    view,
  ]),
  ['dashboards', 'production'],
];

describe('embedded views (compiled once per index update)', () => {
  const opened: Database[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
  });
  async function open(docs: unknown[]): Promise<Database> {
    const db = await database(docs);
    opened.push(db);
    return db;
  }

  it("gives every view of this project's design documents the rows pouchdb-mapreduce gives, built and caught up", async () => {
    const now = 1_780_000_000;
    const docs = [...workflows(now), designDoc('_designDoc'), designDoc('dashboards')];
    const theirs = await open(docs);
    const mine = await open(docs);
    const compare = async (what: string) => {
      for (const [ddoc, view] of ALL_VIEWS) {
        const name = `${ddoc}/${view}`;
        const queries: Array<Record<string, unknown>> =
          ddoc === 'dashboards'
            ? [{ reduce: false }, { group: true }, { group_level: 1 }, {}]
            : [{}];
        for (const options of queries) {
          const expected = await pouchdbMapreduce.query.call(theirs, name, options);
          const actual = await ours.query.call(mine, name, options);
          expect(actual, `${name} ${JSON.stringify(options)}, ${what}`).to.deep.equal(expected);
        }
        if (ddoc === 'dashboards') {
          const rows = await ours.query.call(mine, name, { reduce: false });
          expect(rows.rows.length, `${name} has rows, ${what}`).to.be.greaterThan(100);
        }
      }
    };
    await compare('built');

    // Catch-up: some workflows grow, some are deleted, some are new.
    for (const db of [theirs, mine]) {
      const grown: unknown[] = [];
      for (let i = 0; i < 40; i++) {
        const stored = (await db.get(storedWorkflow(i, now, 0)._id)) as unknown as Parameters<
          typeof grownWorkflow
        >[0];
        grown.push(grownWorkflow(stored, now + 86_400 * 3));
      }
      await db.bulkDocs(grown);
      for (let i = 40; i < 50; i++) await db.remove(await db.get(storedWorkflow(i, now, 0)._id));
      await db.bulkDocs(Array.from({ length: 20 }, (_, i) => storedWorkflow(1000 + i, now, 5)));
    }
    await compare('after 40 changed, 10 deleted and 20 new workflows');
  });

  it("gives map functions CouchDB's globals, and each view the document as stored", async () => {
    const db = await open([
      { _id: 'a', items: [1, 2, 3] },
      {
        _id: '_design/d',
        views: {
          // Sorted by name, `changes` runs before `sees` on each document.
          changes: {
            map: 'function (doc) { doc.items.push(99); doc.added = true; emit(doc._id, 1); }',
          },
          sees: {
            map: 'function (doc) { log("ignored"); emit([isArray(doc.items), sum(doc.items), toJSON(doc.items), doc.added === undefined], null); }',
          },
        },
      },
    ]);
    await ours.query.call(db, 'd/changes');
    const seen = await ours.query.call(db, 'd/sees');
    expect(seen.rows.map((row) => row.key)).to.deep.equal([[true, 6, '[1,2,3]', true]]);
  });

  it('gives a document no rows when the map function throws on it, and reports the error', async () => {
    const db = await open([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 'boom' },
      { _id: 'c', n: 3 },
      {
        _id: '_design/d',
        views: {
          v: {
            map: 'function (doc) { emit(doc._id, 0); if (typeof doc.n !== "number") throw new Error("not a number: " + doc._id); emit(doc._id, doc.n); }',
          },
          undeclared: { map: 'function (doc) { total = doc.n; emit(doc._id, total); }' },
          broken: { map: 'function (doc) { emit(doc._id, ; }' },
        },
      },
    ]);
    const errors: string[] = [];
    db.on('error', (err) => errors.push(String(err)));
    const rows = await ours.query.call(db, 'd/v');
    expect(rows.rows.map((row) => [row.key, row.value])).to.deep.equal([
      ['a', 0],
      ['a', 1],
      ['c', 0],
      ['c', 3],
    ]);
    expect(errors).to.deep.equal(['Error: not a number: b']);
    // Strict mode: an undeclared global is an error, as in pouchdb-mapreduce.
    expect((await ours.query.call(db, 'd/undeclared')).rows).to.deep.equal([]);
    expect((await ours.query.call(db, 'd/broken')).rows).to.deep.equal([]);
    expect(errors.slice(1).every((err) => /ReferenceError|SyntaxError/.test(err))).to.equal(true);
    expect(errors).to.have.length(1 + 3 + 3);
  });

  it('reduces with the built-in _sum (numbers and arrays), _count and _stats, and with JavaScript', async () => {
    const db = await open([
      { _id: 'a', g: 'x', n: 2, days: [1, 2] },
      { _id: 'b', g: 'x', n: 5, days: [0, 0, 7] },
      { _id: 'c', g: 'y', n: -1, days: [] },
      {
        _id: '_design/d',
        views: {
          sum: { map: 'function (doc) { emit(doc.g, doc.n); }', reduce: '_sum' },
          days: { map: 'function (doc) { emit(doc.g, doc.days); }', reduce: '_sum' },
          count: { map: 'function (doc) { emit(doc.g, null); }', reduce: '_count' },
          stats: { map: 'function (doc) { emit(doc.g, doc.n); }', reduce: '_stats' },
          js: {
            map: 'function (doc) { emit(doc.g, doc.n); }',
            reduce:
              'function (keys, values, rereduce) { return [keys.length, sum(values), rereduce]; }',
          },
          text: { map: 'function (doc) { emit(doc.g, "two"); }', reduce: '_sum' },
          unknown: { map: 'function (doc) { emit(doc.g, 1); }', reduce: '_approx_count_distinct' },
          prototype: { map: 'function (doc) { emit(doc.g, 1); }', reduce: '__proto__' },
        },
      },
    ]);
    const errors: string[] = [];
    db.on('error', (err) => errors.push(err.message));
    const grouped = async (view: string) =>
      (await ours.query.call(db, `d/${view}`, { group: true })).rows.map((row) => [
        row.key,
        row.value,
      ]);
    expect(await grouped('sum')).to.deep.equal([
      ['x', 7],
      ['y', -1],
    ]);
    expect(await grouped('days')).to.deep.equal([
      ['x', [1, 2, 7]],
      ['y', [0]],
    ]);
    expect((await ours.query.call(db, 'd/days')).rows).to.deep.equal([
      { key: null, value: [1, 2, 7] },
    ]);
    expect(await grouped('count')).to.deep.equal([
      ['x', 2],
      ['y', 1],
    ]);
    expect(await grouped('stats')).to.deep.equal([
      ['x', { sum: 7, min: 2, max: 5, count: 2, sumsqr: 29 }],
      ['y', { sum: -1, min: -1, max: -1, count: 1, sumsqr: 1 }],
    ]);
    expect(await grouped('js')).to.deep.equal([
      ['x', [2, 7, false]],
      ['y', [1, -1, false]],
    ]);
    let failure: unknown;
    await ours.query.call(db, 'd/text').catch((err: unknown) => (failure = err));
    expect(String((failure as Error | undefined)?.message)).to.match(
      /builtin _sum function requires/,
    );
    expect(errors).to.have.length(1);
    failure = undefined;
    await ours.query.call(db, 'd/unknown').catch((err: unknown) => (failure = err));
    expect(String((failure as Error | undefined)?.message)).to.match(
      /_approx_count_distinct is not a supported/,
    );
    failure = undefined;
    await ours.query.call(db, 'd/prototype').catch((err: unknown) => (failure = err));
    expect(String((failure as Error | undefined)?.message)).to.match(
      /__proto__ is not a supported/,
    );
  });

  it('reads an index pouchdb-mapreduce built and brings it up to date', async () => {
    const db = await open([
      { _id: 'a', n: 1 },
      {
        _id: '_design/d',
        views: { v: { map: 'function (doc) { emit(doc._id, doc.n); }', reduce: '_sum' } },
      },
    ]);
    expect((await pouchdbMapreduce.query.call(db, 'd/v')).rows).to.deep.equal([
      { key: null, value: 1 },
    ]);
    await db.bulkDocs([{ _id: 'b', n: 10 }]);
    expect(
      (await ours.query.call(db, 'd/v', { reduce: false })).rows.map((row) => row.id),
    ).to.deep.equal(['a', 'b']);
    expect((await ours.query.call(db, 'd/v')).rows).to.deep.equal([{ key: null, value: 11 }]);
  });
});
