/**
 * bench/results.json: the latest report of every benchmark at every scale, so that
 * `--only` runs update their part and BENCHMARKS.md always shows every figure measured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ScaleName } from '../scales.js';
import type { BenchmarkId, BenchmarkReport } from './report.js';

export interface SuiteTiming {
  seconds: number;
  measuredAt: string;
}

export interface ScaleResults {
  /** Measured on the embedded CouchDB. */
  reports: Partial<Record<BenchmarkId, BenchmarkReport>>;
  /** Measured on a CouchDB given by URL (`--couchdb`): Apache CouchDB, kept beside the embedded figures. */
  external?: Partial<Record<BenchmarkId, BenchmarkReport>>;
  /** Wall time of the last invocation that ran every benchmark of this scale (embedded). */
  wholeSuite?: SuiteTiming;
}

export type StoredResults = Partial<Record<ScaleName, ScaleResults>>;

export function readResults(file: string): StoredResults {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredResults) : {};
}

export function storeReports(
  results: StoredResults,
  scale: ScaleName,
  reports: readonly BenchmarkReport[],
  wholeSuite?: SuiteTiming,
  external = false,
): StoredResults {
  const previous = results[scale] ?? { reports: {} };
  const timing = wholeSuite ?? previous.wholeSuite;
  const fresh = Object.fromEntries(reports.map((report) => [report.id, report]));
  const merged: ScaleResults = {
    reports: external ? previous.reports : { ...previous.reports, ...fresh },
    ...(external || previous.external
      ? { external: { ...previous.external, ...(external ? fresh : {}) } }
      : {}),
    ...(timing ? { wholeSuite: timing } : {}),
  };
  return { ...results, [scale]: merged };
}

export function writeResults(file: string, results: StoredResults): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
