import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { clipFailure, FailureType } from '../domain/failures';
import { describeUrl, networkFailure } from './download-failures';
import { describeBytes } from './download-policy';

export interface BodyLimits {
  url: URL;
  maxBytes: number;
  /** Offset of the first body byte in the resource (a resumed download); counts towards maxBytes. */
  startAt: number;
  /** The response's Content-Length, when it gave one. */
  expectedBytes: number | null;
  idleTimeoutMs: number;
  /** Aborted by the caller's signal or the transfer's total timeout; its reason becomes the stream's error. */
  abortSignal: AbortSignal;
  onClose: () => void;
}

/**
 * The response body as a stream that fails with a classified failure when the server sends too much, too
 * little, or stalls. Backpressure flows through: a slow consumer pauses the socket and is not a stall.
 */
export function guardBody(response: IncomingMessage, limits: BodyLimits): Readable {
  const { url, maxBytes, startAt, expectedBytes, idleTimeoutMs, abortSignal } = limits;
  let received = 0;

  const body = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      idleTimer.refresh();
      if (startAt + received > maxBytes) {
        callback(
          clipFailure(
            FailureType.Generation,
            `${describeUrl(url)} is larger than the download size limit of ${describeBytes(maxBytes)}`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      callback(expectedBytes !== null && received < expectedBytes ? truncated() : null);
    },
  });

  const truncated = () =>
    clipFailure(
      FailureType.Retryable,
      expectedBytes === null
        ? `The connection for ${describeUrl(url)} closed after ${received} bytes, before the end of the body`
        : `The body of ${describeUrl(url)} was truncated: ${received} of ${expectedBytes} bytes received`,
    );

  const idleTimer = setTimeout(function checkIdle() {
    // A paused response means our consumer is applying backpressure, not that the server stalled.
    if (response.readableFlowing === false) {
      idleTimer.refresh();
      return;
    }
    body.destroy(
      clipFailure(FailureType.Retryable, `${describeUrl(url)} sent no data for ${idleTimeoutMs} ms (stalled download)`),
    );
  }, idleTimeoutMs);

  const onAbort = () => body.destroy(abortSignal.reason instanceof Error ? abortSignal.reason : undefined);
  abortSignal.addEventListener('abort', onAbort, { once: true });

  response.on('error', (error) => {
    if (!body.destroyed) body.destroy(response.complete ? networkFailure(error, url, 'Downloading') : truncated());
  });
  response.on('close', () => {
    if (!response.complete && !body.destroyed) body.destroy(truncated());
  });
  // The body can fail before its consumer attaches (e.g. while storage prepares a folder); the failure then
  // waits in `body.errored` for the consumer to read, instead of crashing the process as an unhandled 'error'.
  body.on('error', () => undefined);
  body.on('close', () => {
    clearTimeout(idleTimer);
    abortSignal.removeEventListener('abort', onAbort);
    response.destroy();
    limits.onClose();
  });

  if (abortSignal.aborted) onAbort();
  else response.pipe(body);
  return body;
}
