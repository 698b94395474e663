/** `npm run bench -- [--scale small|default|large] [--only update,website,memory,deploy,dashboards] [--profile DIR]` */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCALE_NAMES, type ScaleName } from './scales.js';

export const SUITES = ['update', 'website', 'memory', 'deploy', 'dashboards'] as const;
export type Suite = (typeof SUITES)[number];

export interface BenchOptions {
  scale: ScaleName;
  suites: Suite[];
  /** Every suite, in one invocation: the suite's total time counts against the budget. */
  complete: boolean;
  profileDir: string | undefined;
  /** Only rewrite BENCHMARKS.md from the stored figures. */
  renderOnly: boolean;
}

export const USAGE = `Usage: npm run bench -- [--scale ${SCALE_NAMES.join('|')}] [--only ${SUITES.join(',')}] [--profile DIR] [--render]

Runs the benchmarks, prints their figures and rewrites BENCHMARKS.md (from bench/results.json).
COUCHDB_URL=http://admin:secret@host:5984 runs them on that CouchDB instead of the embedded one.
BENCH_KEEP_DATA=DIR keeps the website's generated workflows between runs (the embedded
server's data in DIR; named databases left in place on either server): a second run skips
writing them.
--profile DIR writes a V8 CPU profile of every child process (updater, website) into DIR.
--render only rewrites BENCHMARKS.md from bench/results.json and bench/analysis.md.`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: 'default' },
      only: { type: 'string' },
      profile: { type: 'string' },
      render: { type: 'boolean', default: false },
    },
  });
  const scale = values.scale as ScaleName;
  if (!SCALE_NAMES.includes(scale))
    throw new Error(`--scale must be one of ${SCALE_NAMES.join(', ')}, got ${values.scale}`);
  const suites =
    values.only === undefined ? [...SUITES] : values.only.split(',').map((name) => name.trim());
  for (const suite of suites) {
    if (!(SUITES as readonly string[]).includes(suite))
      throw new Error(`--only takes ${SUITES.join(', ')}; got ${suite}`);
  }
  return {
    scale,
    suites: SUITES.filter((suite) => suites.includes(suite)),
    complete: values.only === undefined,
    profileDir: values.profile === undefined ? undefined : path.resolve(values.profile),
    renderOnly: values.render === true,
  };
}

/** The command line that reproduces one suite's figures. */
export function commandFor(scale: ScaleName, suite: Suite, externalCouch: boolean): string {
  return `${externalCouch ? 'COUCHDB_URL=<admin URL> ' : ''}npm run bench -- --scale ${scale} --only ${suite}`;
}
