/**
 * How the updater's memory grows with the feed: a least-squares line of the heap it
 * retains (sampled right after full garbage collections) over the feed rows handled.
 */
import type { MemorySample } from '../support/memory-sampler.js';

export interface Growth {
  /** MB of retained heap per 100,000 feed rows. */
  mbPer100kRows: number;
  /** Full garbage collections the line is fitted to. */
  points: number;
}

/** Fits the samples taken after full collections while the feed was being read (progress > 0). */
export function retainedGrowth(samples: readonly MemorySample[]): Growth | undefined {
  const points = samples.filter((sample) => sample.afterFullGc && sample.progress > 0);
  if (points.length < 3) return undefined;
  const n = points.length;
  const meanX = points.reduce((total, p) => total + p.progress, 0) / n;
  const meanY = points.reduce((total, p) => total + p.heapUsedMb, 0) / n;
  const sxx = points.reduce((total, p) => total + (p.progress - meanX) ** 2, 0);
  if (sxx === 0) return undefined;
  const slope =
    points.reduce((total, p) => total + (p.progress - meanX) * (p.heapUsedMb - meanY), 0) / sxx;
  return { mbPer100kRows: slope * 100_000, points: n };
}

/** RSS when the feed was a quarter, half, three quarters and fully read. */
export function rssAtQuarters(
  samples: readonly MemorySample[],
  rows: number,
): Array<{ rows: number; rssMb: number }> {
  return [0.25, 0.5, 0.75, 1].flatMap((share) => {
    const sample = samples.find((s) => !s.afterFullGc && s.progress >= share * rows);
    return sample ? [{ rows: sample.progress, rssMb: sample.rssMb }] : [];
  });
}
