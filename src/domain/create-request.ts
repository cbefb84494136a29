/**
 * What a failed createPrediction tells the workflow about the requests it sent. A create none of whose attempts
 * sent its request (the first frame was refused, DNS failed, the retry's lookup failed) made no prediction, so
 * there is nothing to sweep for. Pure: workflows import it too.
 */
import { ApplicationFailure } from '@temporalio/common';

/** The last entry of the `details` of the ApplicationFailure a failed createPrediction throws. */
export interface CreateRequestRecord {
  /**
   * Whether any attempt of this create sent its create request: called fetch for the POST, whatever came of it. An
   * attempt that left no record (it timed out, or its worker died) counts as sent.
   */
  createRequestSent: boolean;
}

/** The failure with the record appended to its details; anything but an ApplicationFailure is returned as it is. */
export function withCreateRequestRecord(failure: unknown, createRequestSent: boolean): unknown {
  if (!(failure instanceof ApplicationFailure)) return failure;
  const record: CreateRequestRecord = { createRequestSent };
  const recorded = new ApplicationFailure(
    failure.message,
    failure.type,
    failure.nonRetryable,
    [...(failure.details ?? []), record],
    failure.cause,
    failure.nextRetryDelay,
    failure.category,
  );
  recorded.stack = failure.stack;
  return recorded;
}

/**
 * Whether a failed create (its ApplicationFailure, or the ActivityFailure around it) may have sent a create
 * request. True when it carries no record: a failure from an older worker, or one that is not an ApplicationFailure.
 */
export function createRequestSentOf(failure: unknown): boolean {
  for (let current = failure; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure) {
      const record = [...(current.details ?? [])].reverse().find(isCreateRequestRecord);
      if (record) return record.createRequestSent;
    }
  }
  return true;
}

function isCreateRequestRecord(value: unknown): value is CreateRequestRecord {
  return (
    typeof value === 'object' && value !== null && typeof (value as CreateRequestRecord).createRequestSent === 'boolean'
  );
}
