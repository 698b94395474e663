/** How numbers, sizes and times read on the website. Pure functions of their input. */

const SIZE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in base 1000 with two decimals: 1234567 → "1.23 MB"; TB is the largest unit. */
export function formatSize(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(2)} ${SIZE_UNITS[unit]}`;
}

/**
 * Time elapsed, the way the original shows it: whole days when at least one day
 * ("3d"), else hours and minutes ("5h 7min"), else minutes ("12min"), else seconds ("40s").
 */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  if (days > 0) return `${days}d`;
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (hours > 0) return `${hours}h ${minutes}min`;
  if (minutes > 0) return `${minutes}min`;
  return `${s}s`;
}

export function formatAgo(unixSeconds: number, nowSeconds: number): string {
  return `${formatElapsed(nowSeconds - unixSeconds)} ago`;
}

/** Integers grouped by thousands: 12345678 → "12,345,678". */
export function formatCount(value: number): string {
  const text = String(Math.trunc(value));
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Unix seconds as "2024-01-15 09:30:12 UTC". */
export function formatDateTime(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  if (Number.isNaN(date.getTime())) return 'an impossible date';
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function formatPercent(value: number): string {
  return `${value.toFixed(2)}%`;
}

/** Short axis labels: 1500 → "1.5k", 2300000 → "2.3M". */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  for (const [limit, suffix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= limit) return `${trimZeros((value / limit).toFixed(1))}${suffix}`;
  }
  return trimZeros(value.toFixed(abs < 10 && abs % 1 !== 0 ? 1 : 0));
}

function trimZeros(text: string): string {
  return text.replace(/\.0$/, '');
}
