/** The figures of a run, printed for the person who started it. */
import type { BenchmarkReport } from './report.js';
import { textTable } from './text-table.js';

export function consoleReport(report: BenchmarkReport): string {
  const parts = [
    `== ${report.title} (${report.durationSeconds.toFixed(0)} s, load average ${report.loadAverage.toFixed(1)} at the start)`,
    report.setup,
  ];
  for (const table of report.tables)
    parts.push(`${table.caption ? `${table.caption}\n` : ''}${textTable(table)}`);
  for (const target of report.targets)
    parts.push(
      `${target.met ? 'MET   ' : 'MISSED'} ${target.what}: target ${target.target}, measured ${target.measured}`,
    );
  parts.push(...report.notes.map((note) => `- ${note}`));
  return `${parts.join('\n\n')}\n`;
}
