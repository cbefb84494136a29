import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
  isCancellation,
} from '@temporalio/workflow';
import { FailureType, clipFailure, isRetryableFailureType } from '../domain/failures';
import type { ClipBookings, FailedClip } from '../domain/types';

/** The failure type of an error thrown by one of our activities or by workflow code, if it has one. */
export function failureTypeOf(err: unknown): string | null {
  if (err instanceof ApplicationFailure) return err.type ?? null;
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof ApplicationFailure) return err.cause.type ?? null;
    if (err.cause instanceof TimeoutFailure) return FailureType.Retryable;
  }
  return null;
}

export function failureMessageOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Turns an activity's failure into the workflow's own failure, so the parent sees
 * `ChildWorkflowFailure.cause` as an ApplicationFailure whose type says why, not a chain to unwrap.
 */
function asWorkflowFailure(err: unknown, context: string): unknown {
  if (err instanceof ApplicationFailure || isCancellation(err)) return err;
  if (err instanceof ActivityFailure) {
    const type = (failureTypeOf(err) as FailureType | null) ?? FailureType.Retryable;
    return clipFailure(type, `${context}: ${failureMessageOf(err)}`, { cause: err });
  }
  return err;
}

/** Runs one step of the clip; an activity's failure leaves it as the clip's own failure (asWorkflowFailure). */
export async function clipStep<T>(context: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw asWorkflowFailure(err, context);
  }
}

/** The record a parent keeps for a clip whose child workflow failed. */
export function toFailedClip(clipIndex: number, err: unknown): FailedClip {
  const workflowId = err instanceof ChildWorkflowFailure ? err.execution?.workflowId : undefined;
  const cause = err instanceof ChildWorkflowFailure ? err.cause : err;
  let failureType: string = failureTypeOf(cause) ?? 'Unknown';
  if (cause instanceof TerminatedFailure) failureType = 'Terminated';
  if (cause instanceof CancelledFailure) failureType = 'Cancelled';
  if (cause instanceof TimeoutFailure) failureType = FailureType.Timeout;
  const bookings = bookingsOf(cause);
  return {
    clipIndex,
    status: 'failed',
    failureType,
    message: failureMessageOf(cause),
    retryable: failureType === 'Unknown' ? false : isRetryableFailureType(failureType),
    ...(workflowId ? { workflowId } : {}),
    ...(bookings ? { bookings } : {}),
  };
}

/** The `{ bookings }` a failed clip puts last in its failure's details (ClipBudget.withBookings). */
function bookingsOf(failure: unknown): ClipBookings | undefined {
  if (!(failure instanceof ApplicationFailure)) return undefined;
  const last: unknown = failure.details?.at(-1);
  if (typeof last !== 'object' || last === null || !('bookings' in last)) return undefined;
  const { bookings } = last as { bookings: unknown };
  const valid =
    typeof bookings === 'object' &&
    bookings !== null &&
    typeof (bookings as ClipBookings).totalUsd === 'string' &&
    Array.isArray((bookings as ClipBookings).predictions);
  return valid ? (bookings as ClipBookings) : undefined;
}
