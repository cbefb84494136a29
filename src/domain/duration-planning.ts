/**
 * Picking the output duration closest to a target, in exact rational arithmetic: a duration such as
 * 25 frames / 6 fps is kept as the fraction 25/6 and the target as the decimal the caller wrote.
 */
import { decimalFromNumber } from './decimal';
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import { DURATION_TOLERANCE_SECONDS } from './model-spec';
import type { ModelId } from './types';

/** A duration as an exact fraction of seconds; the denominator is positive. */
export interface Seconds {
  numerator: bigint;
  denominator: bigint;
}

export interface DurationOption<T> {
  option: T;
  seconds: Seconds;
}

export interface DurationContext {
  model: ModelId;
  /** Narrows the model's range in messages, e.g. 'at 1080p'. */
  qualifier?: string;
}

export function exactSeconds(numerator: number, denominator = 1): Seconds {
  return { numerator: BigInt(numerator), denominator: BigInt(denominator) };
}

export function secondsToNumber(seconds: Seconds): number {
  return Number(seconds.numerator) / Number(seconds.denominator);
}

/** The target as an exact fraction; anything but a finite number > 0 is rejected naming clip.duration. */
export function parseTargetDuration(target: unknown): Seconds {
  const decimal = typeof target === 'number' && target > 0 ? decimalFromNumber(target) : null;
  if (!decimal) {
    throw clipFailure(
      FailureType.InvalidInput,
      `clip.duration must be a finite number of seconds greater than 0 (got ${describeValue(target)})`,
    );
  }
  return { numerator: decimal.coefficient, denominator: 10n ** BigInt(decimal.scale) };
}

/**
 * The option closest to the target. On a tie the earlier option wins, so callers list their options
 * cheapest first. Throws InvalidInput when even the closest is further than the tolerance.
 */
export function chooseDuration<T>(
  options: readonly DurationOption<T>[],
  targetDuration: unknown,
  context: DurationContext,
): DurationOption<T> {
  const target = parseTargetDuration(targetDuration);
  let best = options[0];
  for (const candidate of options.slice(1)) {
    if (compareFractions(distance(candidate.seconds, target), distance(best.seconds, target)) < 0) best = candidate;
  }
  const tolerance = exactSeconds(DURATION_TOLERANCE_SECONDS);
  if (compareFractions(distance(best.seconds, target), tolerance) > 0) {
    const qualifier = context.qualifier ? ` ${context.qualifier}` : '';
    const range = describeRange(options.map((candidate) => candidate.seconds));
    throw clipFailure(
      FailureType.InvalidInput,
      `clip.duration ${String(targetDuration)} s is outside what ${context.model} can produce${qualifier} ` +
        `(${range} s, ±${DURATION_TOLERANCE_SECONDS} s tolerance)`,
    );
  }
  return best;
}

/** The durations a model offers: '6.125', '5 or 10', or shortest–longest such as '0.45–4.17' when many. */
export function describeRange(durations: readonly Seconds[]): string {
  const distinct = [...new Set([...durations].sort(compareFractions).map(describeSeconds))];
  if (distinct.length === 1) return distinct[0];
  if (distinct.length <= 3) return `${distinct.slice(0, -1).join(', ')} or ${distinct[distinct.length - 1]}`;
  return `${distinct[0]}–${distinct[distinct.length - 1]}`;
}

/** Exact when it has at most 3 decimals (6.125), else rounded to 2 (4.17), as people write ranges. */
export function describeSeconds(seconds: Seconds): string {
  const exactInMilliseconds = (seconds.numerator * 1000n) % seconds.denominator === 0n;
  return formatSeconds(seconds, exactInMilliseconds ? 3 : 2);
}

/** Rounded half up to `decimals` places, trailing zeros dropped: 25/7 → '3.571', 2/1 → '2'. */
export function formatSeconds(seconds: Seconds, decimals = 3): string {
  const scale = 10n ** BigInt(decimals);
  const scaled = (2n * seconds.numerator * scale + seconds.denominator) / (2n * seconds.denominator);
  const text = scaled.toString().padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals);
  const fraction = text.slice(text.length - decimals).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

function distance(a: Seconds, b: Seconds): Seconds {
  const difference = a.numerator * b.denominator - b.numerator * a.denominator;
  return { numerator: difference < 0n ? -difference : difference, denominator: a.denominator * b.denominator };
}

function compareFractions(a: Seconds, b: Seconds): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}
