import { ApplicationFailure, type Duration } from '@temporalio/common';

/**
 * Failure types of docs/architecture.md (Failures). A failed activity or workflow carries one of these as
 * `ApplicationFailure.type`; the parent reads it to decide what to do.
 */
export const FailureType = {
  Retryable: 'RetryableError',
  ModelUnavailable: 'ModelUnavailable',
  Generation: 'GenerationError',
  InvalidInput: 'InvalidInput',
  Authentication: 'AuthenticationError',
  Billing: 'BillingError',
  BudgetExceeded: 'BudgetExceeded',
  Timeout: 'Timeout',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Every type except RetryableError: retry policies list these so Temporal stops at once. */
export const NON_RETRYABLE_FAILURE_TYPES: FailureType[] = Object.values(FailureType).filter(
  (type) => type !== FailureType.Retryable,
);

export function isRetryableFailureType(type: string | undefined | null): boolean {
  return !NON_RETRYABLE_FAILURE_TYPES.includes(type as FailureType);
}

export interface ClipFailureOptions {
  /** Overrides the retry policy's backoff for the next attempt (from Retry-After). */
  nextRetryDelay?: Duration;
  details?: unknown[];
  cause?: Error;
}

/** Builds the ApplicationFailure for one of our failure types; usable in workflows and activities alike. */
export function clipFailure(type: FailureType, message: string, options: ClipFailureOptions = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: type !== FailureType.Retryable,
    nextRetryDelay: options.nextRetryDelay,
    details: options.details,
    cause: options.cause,
  });
}
