/** Tables as aligned plain text (the console) and as GitHub markdown (BENCHMARKS.md). */
import type { Table } from './report.js';

export function textTable(table: Table): string {
  const widths = table.columns.map((column, i) =>
    Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [
    line(table.columns),
    line(widths.map((width) => '-'.repeat(width))),
    ...table.rows.map(line),
  ].join('\n');
}

export function markdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [line(table.columns), line(table.columns.map(() => '---')), ...table.rows.map(line)].join(
    '\n',
  );
}
