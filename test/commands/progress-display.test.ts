import { createProgressDisplay } from '../../src/commands/output';
import type { ClipProgress } from '../../src/domain/progress';

const CLEAR_LINE = '\r\x1b[2K';

function progress(change: Partial<ClipProgress>): ClipProgress {
  return {
    phase: 'waiting-for-prediction',
    branch: 'primary',
    model: 'svd',
    predictionId: 'p1',
    predictionStatus: 'processing',
    polls: 2,
    elapsedSeconds: 7.2,
    fallbackUsed: false,
    plannedDuration: 3.125,
    lastError: null,
    ...change,
  };
}

function output(isTTY: boolean, columns = 200) {
  const written: string[] = [];
  return { written, stream: { isTTY, columns, write: (text: string) => written.push(text) > 0 } };
}

describe('progress display', () => {
  it('redraws one line in place on a terminal, keeps notes above it, and ends it once', () => {
    const { written, stream } = output(true);
    const display = createProgressDisplay(stream);

    display.update(progress({}));
    display.note('Web UI: http://localhost:8233/namespaces/default/workflows/clip-x-0');
    display.update(progress({ polls: 3, elapsedSeconds: 10 }));
    display.done();
    display.update(progress({ phase: 'storing' }));

    // Each redraw starts by clearing the line (carriage return, erase line), shown here as <clear>.
    expect(written.map((text) => text.split(CLEAR_LINE).join('<clear>'))).toEqual([
      expect.stringMatching(/^<clear>. waiting-for-prediction · svd · processing · 2 polls · 7 s$/),
      expect.stringMatching(
        /^<clear>Web UI: http:\/\/localhost:8233\/namespaces\/default\/workflows\/clip-x-0\n. waiting-for-prediction/,
      ),
      expect.stringMatching(/^<clear>. waiting-for-prediction · svd · processing · 3 polls · 10 s$/),
      '\n',
    ]);
  });

  it('cuts the live line to the terminal width', () => {
    const { written, stream } = output(true, 30);
    createProgressDisplay(stream).update(progress({ lastError: 'a long error message that does not fit' }));

    expect(written[0].replace(CLEAR_LINE, '')).toHaveLength(29);
    expect(written[0].endsWith('…')).toBe(true);
  });

  it('prints a plain line when more than the elapsed time changed, when not a terminal', () => {
    const { written, stream } = output(false);
    const display = createProgressDisplay(stream);

    display.update(progress({ elapsedSeconds: 1 }));
    display.update(progress({ elapsedSeconds: 2 }));
    display.update(progress({ polls: 3, elapsedSeconds: 3 }));
    display.note('Clip stored');
    display.done();
    display.update(progress({ phase: 'storing' }));

    expect(written).toEqual([
      '  waiting-for-prediction · svd · processing · 2 polls · 1 s\n',
      '  waiting-for-prediction · svd · processing · 3 polls · 3 s\n',
      'Clip stored\n',
    ]);
  });
});
