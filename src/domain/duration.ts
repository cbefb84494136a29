import type { DurationLike } from './types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds per unit, under every spelling Temporal's duration strings (the `ms` package) accept, in any case. */
const UNIT_MS: ReadonlyMap<string, number> = new Map(
  (
    [
      [1, ['milliseconds', 'millisecond', 'msecs', 'msec', 'ms']],
      [SECOND, ['seconds', 'second', 'secs', 'sec', 's']],
      [MINUTE, ['minutes', 'minute', 'mins', 'min', 'm']],
      [HOUR, ['hours', 'hour', 'hrs', 'hr', 'h']],
      [DAY, ['days', 'day', 'd']],
      [7 * DAY, ['weeks', 'week', 'w']],
      [365.25 * DAY, ['years', 'year', 'yrs', 'yr', 'y']],
    ] as const
  ).flatMap(([ms, names]) => names.map((name) => [name, ms] as const)),
);

const DURATION_PATTERN = /^(-?(?:\d+)?\.?\d+) *([a-z]+)?$/i;

/**
 * Milliseconds of a Temporal duration (a number of milliseconds, or a string such as '3s' or '2 minutes'), read as
 * Temporal's SDK reads it, without its internal modules. Throws a TypeError for a malformed string.
 */
export function durationToMs(duration: DurationLike): number {
  if (typeof duration === 'number') return duration;
  const match = duration.length <= 100 ? DURATION_PATTERN.exec(duration) : null;
  const unitMs = match ? UNIT_MS.get((match[2] ?? 'ms').toLowerCase()) : undefined;
  if (!match || unitMs === undefined) throw new TypeError(`Invalid duration string: '${duration}'`);
  return parseFloat(match[1]) * unitMs;
}
