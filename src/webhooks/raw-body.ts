import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

export class BodyTimeoutError extends Error {
  override name = 'BodyTimeoutError';
}

/**
 * The request body byte for byte (the signature covers the exact bytes), refusing more than `maxBytes` before
 * buffering them and giving up after `timeoutMs`.
 */
export function readRawBody(request: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(new BodyTooLargeError(`the body declares ${declared} bytes (limit ${maxBytes})`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(
      () => finish(new BodyTimeoutError(`the body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) finish(new BodyTooLargeError(`the body passed ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (error: Error) => finish(error);
    function finish(error: Error | null) {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onError);
      if (error) {
        // Stop reading what is left; the caller answers and closes the connection.
        request.pause();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks));
      }
    }
    request.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
