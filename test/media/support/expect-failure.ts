import { ApplicationFailure } from '@temporalio/common';

/** Awaits a rejection and checks it is a clip failure of the given type; returns it for further checks. */
export async function expectFailure(
  promise: Promise<unknown>,
  type: string,
  message?: RegExp,
): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${type} failure, but it succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect({ type: failure.type, message: failure.message }).toEqual({
    type,
    message: message ? expect.stringMatching(message) : expect.any(String),
  });
  expect(failure.nonRetryable).toBe(type !== 'RetryableError');
  return failure;
}
