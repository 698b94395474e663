/** One output dataset's numbers over time, read from a stored document's EventNumberHistory. */
import { historyEntries, snapshotOf, type Snapshot } from './stored-fields.js';

/** Snapshots of `dataset`, oldest first; history entries without it are skipped. */
export function datasetHistory(eventNumberHistory: unknown, dataset: string): Snapshot[] {
  const series: Snapshot[] = [];
  for (const entry of historyEntries(eventNumberHistory)) {
    const snapshot = snapshotOf(entry.time, entry.datasets[dataset]);
    if (snapshot) series.push(snapshot);
  }
  return series;
}
