import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { clipFailure, FailureType } from '../domain/failures';
import { describeUrl, failureForStatus, networkFailure } from './download-failures';
import { describeBytes, type DownloadPolicy } from './download-policy';
import { assertDownloadAllowed, type CheckedTarget } from './download-target';
import { guardBody } from './guarded-body';

export { assertDownloadAllowed, type CheckedTarget } from './download-target';
export { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from './download-policy';

export interface DownloadOptions {
  /** Resume: ask for the resource from this byte on (`Range: bytes=N-`). */
  startAt?: number;
}

export interface OpenedDownload {
  /** The body; fails with a classified failure (see guardBody) and must be consumed or destroyed. */
  stream: Readable;
  /** Bytes this response will carry (the remainder when resumed), when the server said. */
  contentLength: number | null;
  contentType: string | null;
  finalUrl: string;
  /** Where the stream starts in the resource: `startAt` when the server honoured the range, else 0. */
  startAt: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Opens one streaming download of a model output under the policy's limits (scheme, host, redirects,
 * timeouts, size). Resolves once the final response's headers are in; the body arrives through `stream`.
 */
export async function openDownload(
  url: string,
  policy: DownloadPolicy,
  signal?: AbortSignal,
  options: DownloadOptions = {},
): Promise<OpenedDownload> {
  const startAt = options.startAt ?? 0;
  const transfer = startTransfer(url, policy, signal);
  try {
    let target = await transfer.race(assertDownloadAllowed(url, policy));
    for (let redirects = 0; ; redirects += 1) {
      const response = await sendRequest(target, policy, startAt, transfer.signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) {
        return acceptResponse(response, target.url, policy, startAt, transfer);
      }
      response.destroy();
      if (redirects >= policy.maxRedirects) {
        throw clipFailure(
          FailureType.Generation,
          `Downloading ${describeUrl(url)} took more than ${policy.maxRedirects} redirects`,
        );
      }
      target = await transfer.race(assertDownloadAllowed(new URL(location, target.url), policy));
    }
  } catch (error) {
    transfer.end();
    throw error;
  }
}

interface Transfer {
  /** Aborted by the caller's signal or by the total timeout; the reason is the error to surface. */
  signal: AbortSignal;
  race<T>(promise: Promise<T>): Promise<T>;
  end(): void;
}

function startTransfer(url: string, policy: DownloadPolicy, callerSignal: AbortSignal | undefined): Transfer {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  const totalTimer = setTimeout(() => {
    controller.abort(
      clipFailure(
        FailureType.Retryable,
        `Downloading ${describeUrl(url)} did not finish within the total timeout of ${policy.totalTimeoutMs} ms`,
      ),
    );
  }, policy.totalTimeoutMs);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    race<T>(promise: Promise<T>): Promise<T> {
      controller.signal.throwIfAborted();
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(controller.signal.reason);
        controller.signal.addEventListener('abort', onAbort, { once: true });
        void promise.then(resolve, reject).finally(() => controller.signal.removeEventListener('abort', onAbort));
      });
    },
    end() {
      clearTimeout(totalTimer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

/** Connects only to the addresses that were checked, never re-resolving the name. */
function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

function sendRequest(
  target: CheckedTarget,
  policy: DownloadPolicy,
  startAt: number,
  abortSignal: AbortSignal,
): Promise<IncomingMessage> {
  const { url } = target;
  const isHttps = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    abortSignal.throwIfAborted();
    const request = (isHttps ? https : http).request(url, {
      method: 'GET',
      agent: false,
      lookup: pinnedLookup(target.addresses),
      headers: {
        'user-agent': 'clipgen',
        accept: '*/*',
        'accept-encoding': 'identity',
        ...(startAt > 0 ? { range: `bytes=${startAt}-` } : {}),
      },
    });
    let phaseTimer = setTimeout(() => {
      request.destroy(
        clipFailure(FailureType.Retryable, `Could not connect to ${url.host} within ${policy.connectTimeoutMs} ms`),
      );
    }, policy.connectTimeoutMs);
    const onAbort = () => request.destroy(abortSignal.reason);
    const settle = () => {
      clearTimeout(phaseTimer);
      abortSignal.removeEventListener('abort', onAbort);
    };
    abortSignal.addEventListener('abort', onAbort, { once: true });

    request.on('socket', (socket) => {
      socket.once(isHttps ? 'secureConnect' : 'connect', () => {
        clearTimeout(phaseTimer);
        phaseTimer = setTimeout(() => {
          request.destroy(
            clipFailure(
              FailureType.Retryable,
              `${describeUrl(url)} sent no response headers within ${policy.idleTimeoutMs} ms`,
            ),
          );
        }, policy.idleTimeoutMs);
      });
    });
    request.on('response', (response) => {
      settle();
      resolve(response);
    });
    request.on('error', (error) => {
      settle();
      // After the response arrived, the body stream reports failures (see guardBody).
      reject(abortSignal.aborted ? abortSignal.reason : networkFailure(error, url, 'Downloading'));
    });
    request.end();
  });
}

function acceptResponse(
  response: IncomingMessage,
  url: URL,
  policy: DownloadPolicy,
  requestedStart: number,
  transfer: Transfer,
): OpenedDownload {
  const status = response.statusCode ?? 0;
  if (status === 416 && requestedStart > 0 && rangeEndsAt(response) === requestedStart) {
    // "Nothing from there on": the earlier transfer had every byte already.
    response.resume();
    transfer.end();
    return {
      stream: Readable.from([]),
      contentLength: 0,
      contentType: null,
      finalUrl: url.href,
      startAt: requestedStart,
    };
  }
  const resumed = status === 206 && requestedStart > 0;
  if (status !== 200 && !resumed) {
    response.destroy();
    throw failureForStatus(status, url, response.headers);
  }
  const startAt = resumed ? requestedStart : 0;
  if (resumed) assertRangeStart(response, url, requestedStart);
  const contentLength = parseContentLength(response.headers['content-length']);
  if (contentLength !== null && startAt + contentLength > policy.maxBytes) {
    response.destroy();
    throw clipFailure(
      FailureType.Generation,
      `${describeUrl(url)} is ${startAt + contentLength} bytes, over the download size limit of ${describeBytes(policy.maxBytes)}`,
    );
  }
  const stream = guardBody(response, {
    url,
    maxBytes: policy.maxBytes,
    startAt,
    expectedBytes: contentLength,
    idleTimeoutMs: policy.idleTimeoutMs,
    abortSignal: transfer.signal,
    onClose: () => transfer.end(),
  });
  return { stream, contentLength, contentType: response.headers['content-type'] ?? null, finalUrl: url.href, startAt };
}

function assertRangeStart(response: IncomingMessage, url: URL, requestedStart: number): void {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(response.headers['content-range'] ?? '');
  if (!match || Number(match[1]) !== requestedStart) {
    response.destroy();
    throw clipFailure(
      FailureType.Retryable,
      `${describeUrl(url)} answered a resume from byte ${requestedStart} with Content-Range ${JSON.stringify(response.headers['content-range'] ?? null)}`,
    );
  }
}

/** The resource's size, as a 416 states it in its Content-Range (an unsatisfied range over SIZE bytes). */
function rangeEndsAt(response: IncomingMessage): number | null {
  const match = /^bytes \*\/(\d+)$/.exec(response.headers['content-range'] ?? '');
  return match ? Number(match[1]) : null;
}

function parseContentLength(header: string | undefined): number | null {
  return header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : null;
}
