/** What the commands write: the Clip on stdout, a clip's progress on stderr, plain-text tables. */
import { describeProgress, type ClipProgress } from '../domain/progress';
import type { Clip } from '../domain/types';

/** The result on stdout: one JSON line with --json (nothing else goes to stdout), indented JSON otherwise. */
export function printClip(clip: Clip, json: boolean): void {
  process.stdout.write(`${json ? JSON.stringify(clip) : JSON.stringify(clip, null, 2)}\n`);
}

/**
 * Runs `work` with stdout reserved for the one JSON document printed after it: with `json`, whatever this process
 * (or a library in it) writes to stdout meanwhile goes to stderr. Children that inherit the stdout file descriptor
 * are not covered: give them other stdio (the embedded Temporal server runs with `--output none`).
 */
export async function withStdoutReserved<T>(json: boolean, work: () => Promise<T>): Promise<T> {
  if (!json) return work();
  const { stdout, stderr } = process;
  const write = stdout.write;
  stdout.write = ((...args: Parameters<typeof stderr.write>) => stderr.write(...args)) as typeof stdout.write;
  try {
    return await work();
  } finally {
    stdout.write = write;
  }
}

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

export interface ProgressDisplay {
  /** Shows the clip's latest progress. */
  update(progress: ClipProgress): void;
  /** Prints a line of its own (above the live line on a terminal). */
  note(line: string): void;
  /** Leaves the last progress line in place; later updates are ignored. */
  done(): void;
}

type Output = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

const CLEAR_LINE = '\r\x1b[2K';
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress of one clip on `output` (stderr, so stdout carries only the result). On a terminal, one line redrawn in
 * place; otherwise a plain line whenever something other than the elapsed time changed.
 */
export function createProgressDisplay(output: Output = process.stderr): ProgressDisplay {
  return output.isTTY ? new LiveLine(output) : new PlainLines(output);
}

class LiveLine implements ProgressDisplay {
  private current = '';
  private frame = 0;
  private finished = false;

  constructor(private readonly output: Output) {}

  update(progress: ClipProgress): void {
    if (this.finished) return;
    this.frame = (this.frame + 1) % SPINNER.length;
    const line = `${SPINNER[this.frame]} ${describeProgress(progress)}`;
    // A terminal that reports no width (0) gets a generous one.
    const width = Math.max(20, (this.output.columns || 120) - 1);
    this.current = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.output.write(`${CLEAR_LINE}${this.current}`);
  }

  note(line: string): void {
    this.output.write(`${this.current ? CLEAR_LINE : ''}${line}\n${this.finished ? '' : this.current}`);
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.current) this.output.write('\n');
  }
}

class PlainLines implements ProgressDisplay {
  private lastKey = '';
  private finished = false;

  constructor(private readonly output: Output) {}

  update(progress: ClipProgress): void {
    if (this.finished) return;
    const key = describeProgress({ ...progress, elapsedSeconds: 0 });
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.output.write(`  ${describeProgress(progress)}\n`);
  }

  note(line: string): void {
    this.output.write(`${line}\n`);
  }

  done(): void {
    this.finished = true;
  }
}
