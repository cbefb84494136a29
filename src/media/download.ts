/**
 * The download layer: one bounded, streaming transfer of a model output (or a first frame) under a policy: http(s)
 * only, every address of every hop checked, a few redirects, a size limit, connect/idle/total timeouts, and
 * failures classified by what a retry can do.
 */
import { lookup, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { describeBytes, describeUrl, parseRetryAfter } from '../http/client';
import { nonPublicAddressKind } from './address-ranges';

/** Limits every download of a model output obeys (fetchProbeStore's one transfer of each output). */
export interface DownloadPolicy {
  /** Largest body accepted, counted from the first byte of the resource (resumed bytes included). */
  maxBytes: number;
  /** Name resolution plus TCP (and TLS) handshake. */
  connectTimeoutMs: number;
  /** Longest silence from the server while we are waiting for headers or for body bytes. */
  idleTimeoutMs: number;
  /** Whole transfer, from the first request to the last byte. */
  totalTimeoutMs: number;
  maxRedirects: number;
  /** Lets downloads reach loopback and private networks: the local simulator in tests and the demo. */
  allowPrivateHosts: boolean;
}

export const DEFAULT_DOWNLOAD_POLICY: Readonly<DownloadPolicy> = Object.freeze({
  maxBytes: 2 * 1024 ** 3,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 30 * 60_000,
  maxRedirects: 3,
  allowPrivateHosts: false,
});

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

/** A URL whose host has been resolved and checked; connections go to exactly these addresses. */
export interface CheckedTarget {
  url: URL;
  addresses: LookupAddress[];
}

/**
 * Refuses anything but http(s) URLs whose every address is public (unless the policy allows private hosts),
 * and returns the checked addresses so the caller connects to them instead of resolving the name again
 * (a second lookup could answer differently: DNS rebinding).
 *
 * A refused URL is a GenerationError: the URLs we download are model outputs, so a bad one means the
 * generation produced something unusable. Callers downloading user-provided URLs rethrow as InvalidInput.
 */
export async function assertDownloadAllowed(
  url: string | URL,
  policy: Pick<DownloadPolicy, 'allowPrivateHosts' | 'connectTimeoutMs'>,
): Promise<CheckedTarget> {
  const parsed = parseDownloadUrl(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await resolveAll(host, parsed, policy.connectTimeoutMs);
  if (!policy.allowPrivateHosts) {
    for (const { address } of addresses) {
      const kind = nonPublicAddressKind(address);
      if (kind !== null) {
        throw clipFailure(
          FailureType.Generation,
          `Refusing to download ${describeUrl(parsed)}: ${host} is a ${kind} address (${address}), and private hosts are not allowed`,
        );
      }
    }
  }
  return { url: parsed, addresses };
}

function parseDownloadUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw clipFailure(
      FailureType.Generation,
      `Cannot download ${JSON.stringify(String(url).slice(0, 200))}: not a URL`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw clipFailure(
      FailureType.Generation,
      `Refusing to download ${describeUrl(parsed)}: only http and https URLs are allowed, not ${parsed.protocol}`,
    );
  }
  return parsed;
}

function resolveAll(host: string, url: URL, timeoutMs: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(clipFailure(FailureType.Retryable, `Resolving ${host} for ${describeUrl(url)} took over ${timeoutMs} ms`));
    }, timeoutMs);
    lookup(host, { all: true, verbatim: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) reject(networkFailure(error, url, 'Resolving the host of'));
      else if (addresses.length === 0) reject(clipFailure(FailureType.Retryable, `${host} has no addresses`));
      else resolve(addresses);
    });
  });
}

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

/** Maps a non-success HTTP status of an output download to the failure types of docs/architecture.md (Failures). */
export function failureForStatus(status: number, url: URL, headers: IncomingHttpHeaders): ApplicationFailure {
  const where = describeUrl(url);
  if (status === 404 || status === 410) {
    return clipFailure(FailureType.Generation, `The video at ${where} is missing or expired (HTTP ${status})`);
  }
  if (status === 401 || status === 403) {
    return clipFailure(FailureType.Authentication, `Access to ${where} was refused (HTTP ${status})`);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return clipFailure(FailureType.Retryable, `Downloading ${where} failed with HTTP ${status}`, {
      nextRetryDelay: parseRetryAfter(headers['retry-after']),
    });
  }
  return clipFailure(FailureType.Generation, `Downloading ${where} failed with HTTP ${status}`);
}

/** Socket, DNS and TLS errors: the next attempt may well succeed. Already classified failures pass through. */
export function networkFailure(error: unknown, url: URL, doing: string): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  const code = (cause as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${cause.message}` : cause.message;
  return clipFailure(FailureType.Retryable, `${doing} ${describeUrl(url)} failed: ${detail}`, { cause });
}
