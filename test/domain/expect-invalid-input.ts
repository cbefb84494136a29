import { ApplicationFailure } from '@temporalio/common';

/** Runs `action`, expecting a non-retryable InvalidInput failure, and returns its message. */
export function invalidInputMessage(action: () => unknown): string {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    return failure.message;
  }
  throw new Error('expected an InvalidInput failure, but nothing was thrown');
}
