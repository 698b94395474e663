/**
 * CSV downloads (RFC 4180): a header row of the JSON field names, then one line per row
 * with the same values. null is an empty cell, a list is its items separated by spaces.
 * Text that a spreadsheet would run as a formula (starting with = + - @ or a tab) gets a
 * leading apostrophe; numbers are written as they are.
 */

export type CsvValue = string | number | boolean | null | readonly string[];

export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) {
    const fields = row as Record<string, unknown>;
    lines.push(columns.map((column) => cell(fields[column] as CsvValue)).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: CsvValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : value.join(' ');
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
