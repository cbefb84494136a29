/** Plain-text tables for command output: columns padded to their widest cell, numbers aligned right. */
export interface Column<Row> {
  header: string;
  cell: (row: Row) => string;
  align?: 'left' | 'right';
}

export function textTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((rowCells) => rowCells[index].length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) =>
        columns[index].align === 'right' ? value.padStart(widths[index]) : value.padEnd(widths[index]),
      )
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

/** 0.1234 → '12.3%'; with `signed`, '+12.3%' / '-4.0%'. */
export function percent(fraction: number | null, signed = false): string {
  if (fraction === null) return '—';
  const text = `${(fraction * 100).toFixed(1)}%`;
  return signed && fraction >= 0 ? `+${text}` : text;
}
