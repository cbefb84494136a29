/** Small checks for validation.ts; each throws InvalidInput with a message that starts with the field path. */
import { durationToMs } from './duration';
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import type { DurationLike } from './types';

export function invalid(message: string): never {
  throw clipFailure(FailureType.InvalidInput, message);
}

/** Whether a field counts as absent; null is accepted as absent for callers that serialise None/nil. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function requirePlainObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  return invalid(`${field} must be an object (got ${describeValue(value)})`);
}

/** Unknown keys are rejected so that a typo (imageURL, durationSeconds) never silently drops a field. */
export function rejectUnknownKeys(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  invalid(`${prefix}${unknown} is not a known field (known: ${known.join(', ')})`);
}

export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return invalid(`${field} must be an integer from ${min} to ${max} (got ${describeValue(value)})`);
}

export function requireNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  return invalid(`${field} must be a finite number from ${min} to ${max} (got ${describeValue(value)})`);
}

export function requireOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return invalid(`${field} must be one of ${allowed.join(', ')} (got ${describeValue(value)})`);
}

export function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  return invalid(`${field} must be true or false (got ${describeValue(value)})`);
}

/**
 * Trimmed text (CRLF read as LF) of 1 to maxLength characters with no control characters but newline
 * and tab: prompts end up in model inputs, logs and the Web UI.
 */
export function requireText(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') return invalid(`${field} must be a string (got ${describeValue(value)})`);
  const text = value.replace(/\r\n/g, '\n').trim();
  if (text === '') return invalid(`${field} must not be empty`);
  const characters = [...text];
  if (characters.length > maxLength) {
    return invalid(`${field} must be at most ${maxLength} characters (got ${characters.length})`);
  }
  const position = characters.findIndex(isForbiddenControlCharacter);
  if (position >= 0) {
    const codePoint = characters[position].codePointAt(0) ?? 0;
    return invalid(
      `${field} must not contain control characters other than newline and tab ` +
        `(found U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at character ${position + 1})`,
    );
  }
  return text;
}

function isForbiddenControlCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  if (character === '\n' || character === '\t') return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * A Temporal duration (milliseconds, or a string such as '3s' or '2 minutes') within [minMs, maxMs].
 * Returned as given, since workflow code hands it to Temporal as it is.
 */
export function requireDuration(
  value: unknown,
  field: string,
  limits: { minMs: number; maxMs: number; describeMin: string; describeMax: string },
): DurationLike {
  const milliseconds = durationInMilliseconds(value);
  if (milliseconds === null) {
    return invalid(
      `${field} must be a duration such as "3s" or "2 minutes", or a number of milliseconds (got ${describeValue(value)})`,
    );
  }
  if (milliseconds < limits.minMs || milliseconds > limits.maxMs) {
    return invalid(
      `${field} must be from ${limits.describeMin} to ${limits.describeMax} (got ${describeValue(value)}, ${milliseconds} ms)`,
    );
  }
  return value as DurationLike;
}

function durationInMilliseconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  try {
    const milliseconds = durationToMs(value as DurationLike);
    return Number.isFinite(milliseconds) ? milliseconds : null;
  } catch {
    return null;
  }
}
