import { ApplicationFailure } from '@temporalio/common';

export const TOKEN = 'r8_TopSecretTokenForTests0123456789';

export { failureOf } from '../helpers/failures';

/** Everything about a failure a user or a log could see. */
export function visibleText(failure: ApplicationFailure): string {
  return [
    failure.message,
    failure.stack ?? '',
    JSON.stringify(failure.details ?? []),
    String(failure.cause ?? ''),
  ].join('\n');
}
