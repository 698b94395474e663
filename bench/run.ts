/**
 * `npm run bench`: runs the benchmarks of one scale, prints their figures, stores them
 * in bench/results.json and rewrites BENCHMARKS.md from everything stored there.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../lib/errors.js';
import { dashboardsBenchmark } from './dashboards/dashboards-bench.js';
import { deployBenchmark } from './deploy/deploy-bench.js';
import { memoryBenchmark } from './memory/memory-bench.js';
import { commandFor, parseOptions, USAGE, type Suite } from './options.js';
import { benchmarksMarkdown } from './report/benchmarks-markdown.js';
import { consoleReport } from './report/console-report.js';
import type { BenchmarkReport, ReportBody } from './report/report.js';
import {
  readResults,
  storeReports,
  writeResults,
  type StoredResults,
} from './report/results-store.js';
import { SCALES } from './scales.js';
import type { BenchContext } from './support/bench-context.js';
import { openBenchCouch } from './support/bench-couch.js';
import { buildFingerprint } from './support/build-fingerprint.js';
import { describeEnvironment, type Environment } from './support/environment.js';
import { defaultsBenchmark } from './update/defaults-bench.js';
import { updateBenchmark } from './update/update-bench.js';
import { websiteBenchmark } from './website/website-bench.js';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_FILE = path.join(REPOSITORY, 'bench', 'results.json');
const MARKDOWN_FILE = path.join(REPOSITORY, 'BENCHMARKS.md');
const ANALYSIS_FILE = path.join(REPOSITORY, 'bench', 'analysis.md');
const BUILD_DIR = path.join(REPOSITORY, 'build');

const SUITE_RUNNERS: Record<Suite, (context: BenchContext) => Promise<ReportBody[]>> = {
  update: updateBenchmark,
  defaults: defaultsBenchmark,
  website: websiteBenchmark,
  memory: memoryBenchmark,
  deploy: deployBenchmark,
  dashboards: dashboardsBenchmark,
};

const REBUILT_NOTE =
  '**The compiled product code (build/) changed while this benchmark ran** (the checkout is shared): its figures may mix two versions; run it again.';

async function currentEnvironment(): Promise<{ environment: Environment; external: boolean }> {
  const couch = await openBenchCouch();
  try {
    return {
      environment: await describeEnvironment(couch.admin, couch.embedded, REPOSITORY),
      external: !couch.embedded,
    };
  } finally {
    await couch.close();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options;
  try {
    options = parseOptions(args, process.env);
  } catch (err) {
    console.error(`${errorMessage(err)}\n\n${USAGE}`);
    return 2;
  }
  if (options.renderOnly) {
    writeMarkdown(readResults(RESULTS_FILE));
    return 0;
  }
  // Every benchmark opens its CouchDB from the environment (bench/support/bench-couch.ts).
  if (options.couchdbUrl !== undefined) process.env.COUCHDB_URL = options.couchdbUrl;
  const context: BenchContext = {
    scaleName: options.scale,
    scale: SCALES[options.scale],
    profileDir: options.profileDir,
    log: (message) =>
      process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`),
  };
  const { environment, external } = await currentEnvironment();
  const started = performance.now();
  const reports: BenchmarkReport[] = [];
  let failures = 0;
  for (const suite of options.suites) {
    const suiteStarted = performance.now();
    const [loadAverage = 0] = os.loadavg();
    const buildBefore = buildFingerprint(BUILD_DIR);
    let bodies: ReportBody[];
    try {
      bodies = await SUITE_RUNNERS[suite](context);
    } catch (err) {
      failures++;
      console.error(
        `benchmark ${suite} failed: ${err instanceof Error ? (err.stack ?? err.message) : errorMessage(err)}`,
      );
      continue;
    }
    const durationSeconds = (performance.now() - suiteStarted) / 1000;
    const rebuilt = buildFingerprint(BUILD_DIR) !== buildBefore;
    if (rebuilt) failures++;
    for (const body of bodies) {
      const report: BenchmarkReport = {
        ...body,
        notes: rebuilt ? [...body.notes, REBUILT_NOTE] : body.notes,
        command: commandFor(options.scale, suite, external),
        measuredAt: new Date().toISOString(),
        environment,
        durationSeconds,
        loadAverage,
      };
      console.log(consoleReport(report));
      reports.push(report);
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;
  console.log(
    `All ${options.suites.length} benchmark suites took ${(totalSeconds / 60).toFixed(1)} min.`,
  );
  const wholeSuite =
    options.complete && failures === 0
      ? { seconds: totalSeconds, measuredAt: new Date().toISOString() }
      : undefined;
  const results = storeReports(
    readResults(RESULTS_FILE),
    options.scale,
    reports,
    wholeSuite,
    external,
  );
  writeResults(RESULTS_FILE, results);
  console.log(`Figures stored in ${path.relative(process.cwd(), RESULTS_FILE)}.`);
  writeMarkdown(results);
  return failures === 0 ? 0 : 1;
}

function writeMarkdown(results: StoredResults): void {
  writeFileSync(MARKDOWN_FILE, benchmarksMarkdown(results, readFileSync(ANALYSIS_FILE, 'utf8')));
  console.log(`${path.relative(process.cwd(), MARKDOWN_FILE)} rewritten.`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
