/**
 * A plain-text table for the listing commands: a header and one line per row, columns padded to
 * their widest cell, every cell made one line (names and titles come from outside).
 */
import { oneLine } from './one-line.js';

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(oneLine));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}
