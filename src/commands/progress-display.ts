import { describeProgress, type ClipProgress } from '../domain/progress';

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
