import type { PredictionEntry, PredictionState } from './entry';

const STEPS = 25;
const BAR_WIDTH = 10;

/** A tqdm-style progress line, which the client's parseProgressFromLogs understands. */
function progressLine(fraction: number): string {
  const done = Math.floor(fraction * STEPS);
  const percent = Math.floor((100 * done) / STEPS);
  const filled = Math.round((BAR_WIDTH * done) / STEPS);
  const bar = '█'.repeat(filled) + ' '.repeat(BAR_WIDTH - filled);
  return `${String(percent).padStart(3)}%|${bar}| ${done}/${STEPS}`;
}

/** What predict() has printed by `nowMs`: the seed, then progress through the run. */
export function logsAt(entry: PredictionEntry, state: PredictionState, nowMs: number): string {
  if (state.startedMs === null) return '';
  const lines = [`Using seed: ${entry.seed}`];
  const until = Math.min(state.completedMs ?? nowMs, nowMs);
  const runMs = entry.runEndMs - entry.startMs;
  const fraction =
    state.status === 'succeeded' ? 1 : runMs === Infinity ? 0 : Math.min(1, (until - entry.startMs) / runMs);
  lines.push(progressLine(Math.max(0, fraction)));
  return `${lines.join('\n')}\n`;
}
