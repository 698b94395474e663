/**
 * Readers of stored documents that never trust a field's type: a document written by an
 * older Stats2 (or by hand) may hold null, a number where a string belongs, or nothing.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The non-empty strings of an array, each once, in their first order. */
export function asUniqueStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  for (const item of value) if (typeof item === 'string' && item !== '') seen.add(item);
  return [...seen];
}

/** One dataset's numbers in one history entry. */
export interface Snapshot {
  time: number;
  type: string | undefined;
  events: number | undefined;
  size: number | undefined;
  lumis: number | undefined;
}

/** `EventNumberHistory` as (time, datasets) pairs sorted by time; malformed entries are skipped. */
export function historyEntries(
  value: unknown,
): Array<{ time: number; datasets: Record<string, unknown> }> {
  if (!Array.isArray(value)) return [];
  const entries: Array<{ time: number; datasets: Record<string, unknown> }> = [];
  for (const entry of value) {
    if (!isRecord(entry)) continue;
    const time = asNumber(entry.Time);
    if (time === undefined || !isRecord(entry.Datasets)) continue;
    entries.push({ time, datasets: entry.Datasets });
  }
  return entries.sort((a, b) => a.time - b.time);
}

export function snapshotOf(time: number, value: unknown): Snapshot | undefined {
  if (!isRecord(value)) return undefined;
  return {
    time,
    type: asString(value.Type),
    events: asNumber(value.Events),
    size: asNumber(value.Size),
    lumis: asNumber(value.Lumis),
  };
}
