import { ApplicationFailure } from '@temporalio/common';

export const TOKEN = 'r8_TopSecretTokenForTests0123456789';

/** The ApplicationFailure a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error(`expected an ApplicationFailure, got ${JSON.stringify(outcome)}`);
}

/** Everything about a failure a user or a log could see. */
export function visibleText(failure: ApplicationFailure): string {
  return [
    failure.message,
    failure.stack ?? '',
    JSON.stringify(failure.details ?? []),
    String(failure.cause ?? ''),
  ].join('\n');
}
