/**
 * Views for the embedded pouchdb-server, in place of pouchdb-mapreduce: the same indexing
 * and querying (pouchdb-abstract-mapreduce, the same index databases and records, so
 * indexes built before stay valid), with each map function compiled once per index update
 * and run in one V8 context for every document of that update. pouchdb-mapreduce makes a
 * new context and compiles the function, with the document written into its source, for
 * every document and view: that was two thirds of an index's build and catch-up time.
 *
 * What a design document's functions see is what they saw there and in CouchDB: strict
 * mode; `emit`, `log` (discarded), `sum`, `isArray` and `toJSON` (JSON.stringify, as in
 * CouchDB); the document as a copy of its own, so a map function that changes it changes
 * nothing another view sees. A map function that throws gives its document no rows (the
 * error goes to the database's `error` event), as in CouchDB. As in CouchDB's query
 * server, a function's globals live as long as its context: here one index update.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';

type Emit = (key: unknown, value?: unknown) => void;
type MapFunction = (doc: unknown) => void;
type ReduceFunction = (keys: unknown, values: unknown[], rereduce: boolean) => unknown;

/** What a PouchDB map/reduce plugin adds to a database (called with the database as `this`). */
interface MapReduce {
  query(this: unknown, ...args: unknown[]): unknown;
  viewCleanup(this: unknown, ...args: unknown[]): unknown;
}

type CreateAbstractMapReduce = (
  localDocName: string,
  mapper: (mapFun: unknown, emit: Emit) => MapFunction,
  reducer: (reduceFun: unknown) => ReduceFunction,
  ddocValidator: (ddoc: DesignDocumentViews, viewName: string) => void,
) => MapReduce;

interface DesignDocumentViews {
  _id: string;
  views?: Record<string, { map?: unknown } | undefined>;
}

interface MapReduceUtils {
  BuiltInError: new (message: string) => Error;
  NotFoundError: new (message: string) => Error;
}

/** pouchdb-mapreduce's name for its records, kept so that existing indexes are found. */
const INDEX_RECORDS = 'mrviews';

/**
 * The plugin, built from the pouchdb-abstract-mapreduce that `pouchdbMapreduce` (the path
 * of pouchdb-mapreduce's package.json in the pouchdb-server install) was made with.
 */
export function embeddedMapReduce(pouchdbMapreduce: string): MapReduce {
  const fromMapreduce = createRequire(pouchdbMapreduce);
  const abstractPath = fromMapreduce.resolve('pouchdb-abstract-mapreduce');
  const createAbstractMapReduce = fromMapreduce(abstractPath) as CreateAbstractMapReduce;
  // The error classes the abstract layer tests with `instanceof`: its own copy.
  const utils = createRequire(abstractPath)('pouchdb-mapreduce-utils') as MapReduceUtils;

  const builtIns = builtInReducers(utils.BuiltInError);
  const abstract = createAbstractMapReduce(
    INDEX_RECORDS,
    (mapFun, emit) => {
      // In-process callers may pass a function taking emit (pouchdb's temporary views).
      if (typeof mapFun === 'function' && mapFun.length === 2)
        return (doc) => (mapFun as (doc: unknown, emit: Emit) => void)(doc, emit);
      return compiledMap(String(mapFun), emit);
    },
    (reduceFun) => {
      const source = String(reduceFun);
      if (!source.startsWith('_')) return compiledReduce(source);
      const name = source.trim();
      if (!Object.hasOwn(builtIns, name))
        throw new Error(`${source} is not a supported reduce function.`);
      return builtIns[name as keyof typeof builtIns];
    },
    (ddoc, viewName) => {
      if (typeof ddoc.views?.[viewName]?.map !== 'string')
        throw new utils.NotFoundError(`ddoc ${ddoc._id} has no string view named ${viewName}`);
    },
  );
  return {
    query(...args) {
      return abstract.query.apply(this, args);
    },
    viewCleanup(...args) {
      return abstract.viewCleanup.apply(this, args);
    },
  };
}

/** What CouchDB gives a design document's functions, besides `emit`. */
const FUNCTION_GLOBALS =
  'var log = function () {};' +
  'var isArray = Array.isArray;' +
  'var toJSON = function (value) { return JSON.stringify(value); };' +
  'var sum = function (values) { var total = 0; for (var i = 0; i < values.length; i++) total += values[i]; return total; };';

/**
 * Compiled once into a new context; each call parses the document there (the function's
 * own copy) and hands its rows to `emit` once the function has returned.
 */
function compiledMap(source: string, emit: Emit): MapFunction {
  const run = compiledInContext<(json: string) => Array<[unknown, unknown]>>(
    'var rows = [];' +
      'var emit = function (key, value) { rows.push([key, value]); };' +
      `var map = (${withoutTrailingSemicolon(source)});` +
      'return function (json) { rows = []; map(JSON.parse(json)); return rows; };',
  );
  return (doc) => {
    for (const [key, value] of run(JSON.stringify(doc))) emit(key, value);
  };
}

function compiledReduce(source: string): ReduceFunction {
  const run = compiledInContext<(json: string, rereduce: boolean) => unknown>(
    `var reduce = (${withoutTrailingSemicolon(source)});` +
      'return function (json, rereduce) { var args = JSON.parse(json); return reduce(args[0], args[1], rereduce); };',
  );
  return (keys, values, rereduce) => run(JSON.stringify([keys, values]), rereduce);
}

/**
 * The function that `body` returns, run in strict mode in a new context with CouchDB's
 * globals. One that does not compile fails on every call, as in pouchdb-mapreduce (where
 * each call compiled it): a map gives no rows, a JavaScript reduce gives null.
 */
function compiledInContext<F extends (...args: never[]) => unknown>(body: string): F {
  try {
    return new vm.Script(`(function () {"use strict";${FUNCTION_GLOBALS}${body}})()`).runInContext(
      vm.createContext({}),
    ) as F;
  } catch (err) {
    return (() => {
      throw err;
    }) as unknown as F;
  }
}

function withoutTrailingSemicolon(source: string): string {
  return source.replace(/;\s*$/, '');
}

/** CouchDB's built-in reduce functions, over numbers or arrays of numbers (`_sum`). */
function builtInReducers(BuiltInError: new (message: string) => Error) {
  const notNumbers = (name: string) =>
    new BuiltInError(`builtin ${name} function requires map values to be numbers or number arrays`);
  const sum = (values: unknown[]): number | number[] => {
    let total: number | number[] = 0;
    for (const value of values) {
      if (typeof value === 'number') {
        if (typeof total === 'number') total += value;
        else total[0] = (total[0] as number) + value;
      } else if (Array.isArray(value)) {
        // Arrays add up position by position; a number counts at position 0.
        if (typeof total === 'number') total = [total];
        for (let i = 0; i < value.length; i++) {
          const item = value[i] as unknown;
          if (typeof item !== 'number') throw notNumbers('_sum');
          total[i] = (total[i] ?? 0) + item;
        }
      } else throw notNumbers('_sum');
    }
    return total;
  };
  return {
    _sum: (_keys: unknown, values: unknown[]) => sum(values),
    _count: (_keys: unknown, values: unknown[]) => values.length,
    _stats: (_keys: unknown, values: unknown[]) => {
      let total = 0;
      let sumsqr = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const value of values) {
        if (typeof value !== 'number') throw notNumbers('_stats');
        total += value;
        sumsqr += value * value;
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      return { sum: total, min, max, count: values.length, sumsqr };
    },
  } satisfies Record<string, ReduceFunction>;
}
