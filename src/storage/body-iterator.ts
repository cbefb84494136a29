import { ApplicationFailure } from '@temporalio/common';
import type { Readable } from 'node:stream';
import { clipFailure, FailureType } from '../domain/failures';

/**
 * Reads a body to upload. `next()` rejects with the signal's reason as soon as it aborts, even while the source is
 * stuck (destroying a stream does not settle a read waiting on a stalled producer), and a source error that is not
 * classified yet becomes a RetryableError that says the source failed, not the storage.
 */
export function bodyIterator(body: Readable, signal: AbortSignal | undefined, fullPath: string): AsyncIterator<Buffer> {
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const sourceFailure = (error: unknown) =>
    error instanceof ApplicationFailure || signal?.aborted
      ? error
      : clipFailure(FailureType.Retryable, `Reading the clip for ${fullPath} failed: ${describe(error)}`);
  return {
    next: () =>
      new Promise<IteratorResult<Buffer>>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        source
          .next()
          .then(resolve, (error: unknown) => reject(sourceFailure(error)))
          .finally(() => signal?.removeEventListener('abort', onAbort));
      }),
  };
}

function describe(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
}
