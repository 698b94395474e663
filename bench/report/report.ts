/** What each benchmark hands back: its figures as tables, its targets, and what limits them. */
import type { Environment } from '../support/environment.js';

export const BENCHMARK_IDS = [
  'update',
  'incremental',
  'defaults',
  'website',
  'website-couchdb',
  'memory',
  'deploy',
  'dashboards',
  'dashboards-couchdb',
] as const;
export type BenchmarkId = (typeof BENCHMARK_IDS)[number];

export interface Table {
  caption?: string;
  columns: string[];
  rows: string[][];
}

export interface TargetCheck {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchmarkReport {
  id: BenchmarkId;
  title: string;
  /** What was set up: sizes, latency, load. */
  setup: string;
  /** The command that reproduces the figures. */
  command: string;
  tables: Table[];
  targets: TargetCheck[];
  /** What limits the figures; why a target is missed. */
  notes: string[];
  /** ISO date-time of the measurement. */
  measuredAt: string;
  environment: Environment;
  durationSeconds: number;
  /** 1-minute load average of the machine when the benchmark started (other work on it skews figures). */
  loadAverage: number;
}

/** A report without the fields the runner fills in. */
export type ReportBody = Omit<
  BenchmarkReport,
  'command' | 'measuredAt' | 'environment' | 'durationSeconds' | 'loadAverage'
>;
