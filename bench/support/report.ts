/** Prints a left-aligned text table with a title. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of cells.slice(1)) console.log(line(row));
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function ratio(numerator: number, denominator: number): string {
  return denominator > 0 && Number.isFinite(numerator) ? `${(numerator / denominator).toFixed(1)}×` : '–';
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/**
 * The last line of every bench: its figures as one line of JSON (`{"bench":"<name>",…}`), for scripts and CI to read
 * without parsing tables. Seconds keep millisecond precision; NaN (nothing measured) becomes null.
 */
export function printJsonSummary(bench: string, figures: Record<string, unknown>): void {
  const round = (_key: string, value: unknown) =>
    typeof value === 'number' ? (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null) : value;
  console.log(JSON.stringify({ bench, ...figures }, round));
}

export function toMegabytes(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
