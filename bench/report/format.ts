/** Number formats shared by the reports. */

export function seconds(ms: number): string {
  return ms >= 100_000
    ? (ms / 1000).toFixed(0)
    : ms >= 10_000
      ? (ms / 1000).toFixed(1)
      : (ms / 1000).toFixed(2);
}

export function integer(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function ratio(n: number): string {
  return `${n.toFixed(2)}×`;
}

export function megabytes(mb: number): string {
  return `${Math.round(mb)} MB`;
}

export function milliseconds(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** `a 3, b 2` from counts, largest first. */
export function counts(values: Record<string, number>): string {
  return Object.entries(values)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, value]) => `${key} ${integer(value)}`)
    .join(', ');
}

export function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((total, value) => total + value, 0);
}
