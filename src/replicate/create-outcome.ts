/**
 * Whether a failed create can still turn into a prediction later. Once the API has answered, even with a 5xx,
 * it has finished with the request: whatever it made exists already, where the retry's lookup finds it. A create
 * that was never sent made nothing. Only a create that got no answer (timed out, lost its connection, or its
 * worker died) may be carried out after the retry has looked, leaving a stray prediction nobody waits for.
 */
import type { AttemptFailure } from './single-attempt-fetch';

const settledFailures = new WeakSet<object>();
const unsentFailures = new WeakSet<object>();

/** Marks a failure (as thrown by a create) as one after which no prediction of that attempt can appear; returns it. */
export function markSettled<T>(failure: T): T {
  if (typeof failure === 'object' && failure !== null) settledFailures.add(failure);
  return failure;
}

/** Marks a failure as one thrown before the create request was sent (settled, then, too); returns it. */
export function markUnsent<T>(failure: T): T {
  if (typeof failure === 'object' && failure !== null) unsentFailures.add(failure);
  return failure;
}

export function isSettled(failure: unknown): boolean {
  return typeof failure === 'object' && failure !== null && (settledFailures.has(failure) || isUnsent(failure));
}

/** Only failures marked so count as unsent: an unmarked one may have sent its request. */
export function isUnsent(failure: unknown): boolean {
  return typeof failure === 'object' && failure !== null && unsentFailures.has(failure);
}

/** The API answered the request with a status, so it is done with it. */
export function wasAnswered(failure: AttemptFailure | null): boolean {
  return failure?.kind === 'http';
}
