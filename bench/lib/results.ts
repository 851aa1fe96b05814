// Appends a dated section to bench/RESULTS.md (created with a short header when missing) and
// renders the tables both the terminal and the results file show. Append only: several benches
// write to the same file.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';

import { describeMachine, type MachineInfo } from './machine.ts';

export const RESULTS_FILE = new URL('../RESULTS.md', import.meta.url);

const HEADER = `# Herald benchmark results

Figures appended by the scripts in \`bench/\` (\`npm run bench:*\`), newest last. Each section
names its date, machine and commit. The load generator runs on the same machine as the server,
so figures are medians of several runs; single runs vary by 30–40 % here.
`;

export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(headers),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...cells.map(line),
  ].join('\n');
}

/** Appends `## title (date)` with the machine line and `body` to bench/RESULTS.md. */
export function appendResults(title: string, machine: MachineInfo, body: string): void {
  if (!existsSync(RESULTS_FILE)) writeFileSync(RESULTS_FILE, HEADER);
  const section = [
    '',
    `## ${title} — ${machine.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    '',
    body.trimEnd(),
    '',
  ].join('\n');
  appendFileSync(RESULTS_FILE, section);
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
