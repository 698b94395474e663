/** `npm run bench -- [--scale small|default|large] [--only update,defaults,website,memory,deploy,dashboards] [--couchdb URL] [--profile DIR]` */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCALE_NAMES, type ScaleName } from './scales.js';

export const SUITES = ['update', 'defaults', 'website', 'memory', 'deploy', 'dashboards'] as const;
export type Suite = (typeof SUITES)[number];

/** What runs on a CouchDB given by URL unless --only says otherwise: the updater's memory is no database's. */
const EXTERNAL_SUITES: readonly Suite[] = ['update', 'defaults', 'website', 'deploy'];

export interface BenchOptions {
  scale: ScaleName;
  suites: Suite[];
  /** Every suite, in one invocation: the suite's total time counts against the budget. */
  complete: boolean;
  profileDir: string | undefined;
  /** Only rewrite BENCHMARKS.md from the stored figures. */
  renderOnly: boolean;
  /** --couchdb, else COUCHDB_URL / DB_URL: an admin URL of the CouchDB to run on instead of the embedded one. */
  couchdbUrl: string | undefined;
}

export const USAGE = `Usage: npm run bench -- [--scale ${SCALE_NAMES.join('|')}] [--only ${SUITES.join(',')}] [--couchdb URL] [--profile DIR] [--render] [--help]

Runs the benchmarks, prints their figures and rewrites BENCHMARKS.md (from bench/results.json).
--couchdb http://admin:secret@host:5984 (or COUCHDB_URL) runs them on that CouchDB instead of
the embedded one: ${EXTERNAL_SUITES.join(', ')} unless --only names others; its figures are kept beside the embedded ones.
BENCH_KEEP_DATA=DIR keeps the website's generated workflows between runs (the embedded
server's data in DIR; named databases left in place on either server): a second run skips
writing them.
--profile DIR writes a V8 CPU profile of every child process (updater, website) into DIR.
--render only rewrites BENCHMARKS.md from bench/results.json and bench/analysis.md.`;

export function parseOptions(
  argv: string[],
  env: Record<string, string | undefined> = {},
): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: 'default' },
      only: { type: 'string' },
      profile: { type: 'string' },
      render: { type: 'boolean', default: false },
      couchdb: { type: 'string' },
    },
  });
  const couchdbUrl = values.couchdb ?? (env.COUCHDB_URL || env.DB_URL || undefined);
  if (couchdbUrl !== undefined && !/^https?:\/\/[^/]/.test(couchdbUrl))
    throw new Error(`--couchdb takes an http:// or https:// URL, got ${couchdbUrl}`);
  const scale = values.scale as ScaleName;
  if (!SCALE_NAMES.includes(scale))
    throw new Error(`--scale must be one of ${SCALE_NAMES.join(', ')}, got ${values.scale}`);
  const suites =
    values.only !== undefined
      ? values.only.split(',').map((name) => name.trim())
      : couchdbUrl !== undefined
        ? [...EXTERNAL_SUITES]
        : [...SUITES];
  for (const suite of suites) {
    if (!(SUITES as readonly string[]).includes(suite))
      throw new Error(`--only takes ${SUITES.join(', ')}; got ${suite}`);
  }
  return {
    scale,
    suites: SUITES.filter((suite) => suites.includes(suite)),
    complete: values.only === undefined && couchdbUrl === undefined,
    profileDir: values.profile === undefined ? undefined : path.resolve(values.profile),
    renderOnly: values.render === true,
    couchdbUrl,
  };
}

/** The command line that reproduces one suite's figures. */
export function commandFor(scale: ScaleName, suite: Suite, externalCouch: boolean): string {
  return `npm run bench -- --scale ${scale} --only ${suite}${externalCouch ? ' --couchdb <admin URL>' : ''}`;
}
