/**
 * What DBS holds for one dataset: its record and its files. Files are never stored for
 * generated datasets: they are derived on demand from a `FileLayout` (a seed plus the
 * runs and lumi ranges the dataset covers), so a world of 200,000 workflows keeps no file
 * objects in memory. Datasets that tests edit by hand carry an explicit file list.
 */
import { hashOf, hexOf } from './prng.js';

export type AccessType = 'VALID' | 'PRODUCTION' | 'INVALID' | 'DELETED' | 'DEPRECATED' | 'READONLY';

export interface LumiRun {
  run: number;
  /** Inclusive lumi ranges, sorted, not overlapping. */
  ranges: Array<[number, number]>;
}

export interface FileLayout {
  seed: number;
  runs: LumiRun[];
  lumisPerFile: number;
  eventsPerLumi: number;
  bytesPerEvent: number;
  filesPerBlock: number;
  /** LFN directory, e.g. /store/mc/<campaign>/<primary>/<TIER>/<processing>-v1. */
  lfnBase: string;
  /** Collision data files live under per-run directories (.../000/382/229/...). */
  perRunDirectories: boolean;
}

export interface DbsFile {
  lfn: string;
  run: number;
  firstLumi: number;
  lastLumi: number;
  events: number;
  size: number;
  valid: boolean;
  block: number;
  createdAt: number;
}

export interface DatasetRecord {
  name: string;
  accessType: AccessType;
  dataType: 'mc' | 'data';
  createdAt: number;
  lastModified: number;
  prepId: string | null;
  acquisitionEra: string;
  processingVersion: number;
  physicsGroup: string;
  createdBy: string;
  datasetId: number;
}

/** A dataset as DBS shows it now. */
export interface DatasetState extends DatasetRecord {
  files(): DbsFile[];
}

/** Enumerates the first `limit` files of a layout (all when omitted). */
export function layoutFiles(layout: FileLayout, createdAt: number, limit = Infinity): DbsFile[] {
  const files: DbsFile[] = [];
  for (const { run, ranges } of layout.runs) {
    for (const [first, last] of ranges) {
      for (let lumi = first; lumi <= last; lumi += layout.lumisPerFile) {
        if (files.length >= limit) return files;
        const k = files.length;
        const lastLumi = Math.min(last, lumi + layout.lumisPerFile - 1);
        const jitter = 0.8 + (hashOf(layout.seed, 'events', k) % 4000) / 10000;
        const events = Math.max(
          1,
          Math.round(layout.eventsPerLumi * (lastLumi - lumi + 1) * jitter),
        );
        const block = Math.floor(k / layout.filesPerBlock);
        files.push({
          lfn: `${layout.lfnBase}/${fileDirectory(layout, run, block)}/${uuidOf(layout.seed, k)}.root`,
          run,
          firstLumi: lumi,
          lastLumi,
          events,
          size: Math.round(events * layout.bytesPerEvent),
          valid: hashOf(layout.seed, 'valid', k) % 50 !== 0,
          block,
          createdAt: createdAt + k * 97,
        });
      }
    }
  }
  return files;
}

function fileDirectory(layout: FileLayout, run: number, block: number): string {
  const blockDir = String(block).padStart(5, '0');
  if (!layout.perRunDirectories) return blockDir;
  const digits = String(run).padStart(6, '0');
  return `000/${digits.slice(0, 3)}/${digits.slice(3)}/${blockDir}`;
}

export function countLayoutFiles(layout: FileLayout): number {
  let count = 0;
  for (const { ranges } of layout.runs) {
    for (const [first, last] of ranges)
      count += Math.ceil((last - first + 1) / layout.lumisPerFile);
  }
  return count;
}

export function uuidOf(...parts: Array<string | number>): string {
  const hex = hexOf(32, ...parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function blockName(dataset: string, block: number): string {
  return `${dataset}#${uuidOf(dataset, 'block', block)}`;
}

/** Intersects a lumi mask ({run: [[a,b],...]}) with the runs a dataset covers. */
export function maskRuns(
  runs: readonly LumiRun[],
  mask: Record<string, Array<[number, number]>>,
): LumiRun[] {
  const out: LumiRun[] = [];
  for (const { run, ranges } of runs) {
    const wanted = mask[String(run)];
    if (wanted === undefined) continue;
    const kept: Array<[number, number]> = [];
    for (const [a, b] of ranges) {
      for (const [c, d] of wanted) {
        const lo = Math.max(a, c);
        const hi = Math.min(b, d);
        if (lo <= hi) kept.push([lo, hi]);
      }
    }
    if (kept.length > 0) out.push({ run, ranges: kept.sort((x, y) => x[0] - y[0]) });
  }
  return out;
}

export function countLumis(runs: readonly LumiRun[]): number {
  return runs.reduce((sum, { ranges }) => sum + ranges.reduce((s, [a, b]) => s + b - a + 1, 0), 0);
}

/** True when a file holds at least one of the lumis. */
export function fileTouches(file: DbsFile, lumis: ReadonlyArray<[number, number]>): boolean {
  return lumis.some(([a, b]) => a <= file.lastLumi && b >= file.firstLumi);
}

export interface FileSummary {
  num_file: number;
  num_event: number;
  file_size: number;
  num_block: number;
  num_lumi: number;
  max_ldate: number | null;
  median_cdate: number | null;
  median_ldate: number | null;
}

/**
 * The single `filesummaries` row (docs/upstreams.md#filesummaries), for a dataset DBS may
 * not know.
 */
export function summarise(dataset: DatasetState | undefined, validFileOnly: boolean): FileSummary {
  const empty: FileSummary = {
    num_file: 0,
    num_event: 0,
    file_size: 0,
    num_block: 0,
    num_lumi: 0,
    max_ldate: null,
    median_cdate: null,
    median_ldate: null,
  };
  if (dataset === undefined) return empty;
  if (validFileOnly && dataset.accessType !== 'VALID' && dataset.accessType !== 'PRODUCTION')
    return empty;
  const all = dataset.files();
  const counted = validFileOnly ? all.filter((f) => f.valid) : all;
  if (counted.length === 0) return { ...empty, num_block: new Set(all.map((f) => f.block)).size };
  const lumis = new Set<number>();
  let events = 0;
  let size = 0;
  for (const file of counted) {
    events += file.events;
    size += file.size;
    for (let l = file.firstLumi; l <= file.lastLumi; l++) lumis.add(file.run * 1_000_000 + l);
  }
  const dates = counted.map((f) => f.createdAt).sort((a, b) => a - b);
  const median = dates[Math.floor(dates.length / 2)] ?? null;
  return {
    num_file: counted.length,
    num_event: events,
    file_size: size,
    num_block: new Set(all.map((f) => f.block)).size,
    num_lumi: lumis.size,
    max_ldate: dates[dates.length - 1] ?? null,
    median_cdate: median,
    median_ldate: median,
  };
}
