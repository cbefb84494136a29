/**
 * The `replicate` client as clipgen uses it: good for exactly one HTTP request per call (a single-attempt fetch under
 * it), and a caller that runs one request and classifies what became of it.
 */
import Replicate from 'replicate';
import {
  classifyHttpError,
  classifyNetworkError,
  classifyReplicateError,
  type ReplicateCallContext,
} from './classify-error';

export interface ReplicateClientConfig {
  /** Without it the client falls back to REPLICATE_API_TOKEN, and sends no Authorization when that is unset too. */
  apiToken?: string;
  /** Must end in `/v1` (the client resolves routes against it). Default https://api.replicate.com/v1. */
  baseUrl?: string;
  /** Per-request timeout, body included. Default 30 s. */
  requestTimeoutMs?: number;
  /** The network fetch; defaults to globalThis.fetch. */
  fetch?: typeof fetch;
}

export const DEFAULT_REPLICATE_BASE_URL = 'https://api.replicate.com/v1';
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const USER_AGENT = 'clipgen/0.1 (replicate-javascript/1.4.0)';

/** A `replicate` client good for exactly one HTTP request, and what became of that request. */
export interface SingleAttemptClient {
  client: Replicate;
  /** The real outcome when the request did not return a 2xx; classify this rather than the client's error. */
  failure(): AttemptFailure | null;
  requestsSent(): number;
  /** The token in use (from config or the environment), so messages can be redacted of it. */
  token: string | undefined;
  timeoutMs: number;
}

export function createSingleAttemptClient(
  config: ReplicateClientConfig,
  extraHeaders: Record<string, string> = {},
): SingleAttemptClient {
  const timeoutMs = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const attempt = createSingleAttemptFetch({ timeoutMs, extraHeaders, baseFetch: config.fetch });
  const client = new Replicate({
    auth: config.apiToken,
    baseUrl: config.baseUrl ?? DEFAULT_REPLICATE_BASE_URL,
    userAgent: USER_AGENT,
    useFileOutput: false,
    fetch: attempt.fetch,
  });
  return {
    client,
    failure: attempt.failure,
    requestsSent: attempt.requestsSent,
    token: client.auth || undefined,
    timeoutMs,
  };
}

export type Attempt<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      failure: AttemptFailure | null;
      error: unknown;
      context: ReplicateCallContext;
      /** 0 when the attempt failed before its request went out (fetch was never called). */
      requestsSent: number;
    };

export interface ReplicateCaller {
  /** One HTTP request through a fresh single-attempt client; never throws, so callers can inspect a failure. */
  attempt<T>(
    context: ReplicateCallContext,
    extraHeaders: Record<string, string>,
    run: (client: Replicate) => Promise<T>,
  ): Promise<Attempt<T>>;
  /** One HTTP request; throws the classified failure (or the caller's abort reason). */
  call<T>(
    context: ReplicateCallContext,
    signal: AbortSignal | undefined,
    extraHeaders: Record<string, string>,
    run: (client: Replicate) => Promise<T>,
  ): Promise<T>;
}

export function createReplicateCaller(config: ReplicateClientConfig, now: () => number): ReplicateCaller {
  const attempt: ReplicateCaller['attempt'] = async (context, extraHeaders, run) => {
    const single = createSingleAttemptClient(config, extraHeaders);
    try {
      return { ok: true, value: await run(single.client) };
    } catch (error) {
      const secrets = [single.token, config.apiToken];
      const fullContext = { ...context, secrets, timeoutMs: single.timeoutMs, nowMs: now() };
      return { ok: false, failure: single.failure(), error, context: fullContext, requestsSent: single.requestsSent() };
    }
  };
  return {
    attempt,
    async call(context, signal, extraHeaders, run) {
      const outcome = await attempt(context, extraHeaders, run);
      if (outcome.ok) return outcome.value;
      throw failureOf(outcome, signal);
    },
  };
}

/** What to throw for a failed attempt: the classified real outcome, not the client's view of it. */
export function failureOf(attempt: Extract<Attempt<unknown>, { ok: false }>, signal: AbortSignal | undefined): unknown {
  // The caller (Temporal's activity cancellation) gave up: report its reason, not a network error.
  if (signal?.aborted) return signal.reason ?? attempt.error;
  const { failure, context } = attempt;
  if (failure?.kind === 'http') return classifyHttpError(failure, context);
  if (failure?.kind === 'network') return classifyNetworkError(failure.error, context);
  if (failure?.kind === 'refused') return classifyReplicateError(new Error(failure.reason), context);
  return classifyReplicateError(attempt.error, context);
}

/**
 * A `fetch` for the `replicate` client that lets exactly one HTTP request out per call.
 *
 * The client re-sends POSTs when fetch throws or answers 429, and GETs on 429/5xx, up to six times
 * ~20 ms apart, ignoring Retry-After (node_modules/replicate/lib/util.js). A re-sent create is a second
 * billed prediction, and Temporal already owns retries with proper backoff. So the first attempt's real
 * outcome (a thrown error, or a non-2xx status with its headers and body) is captured here, and the
 * client is handed a response that ends its retry loop: a non-2xx status it never retries. The gateway
 * then classifies the captured outcome instead of the client's error. Any further call from the client
 * is answered the same way without touching the network.
 */

export type AttemptFailure =
  | { kind: 'http'; status: number; statusText: string; retryAfter: string | null; body: string }
  | { kind: 'network'; error: unknown }
  /** The client tried a second request in one call; it was not sent. */
  | { kind: 'refused'; reason: string };

export interface SingleAttemptFetchOptions {
  timeoutMs: number;
  /** Headers added to the request (e.g. `Cancel-After`), overriding the client's. */
  extraHeaders?: Record<string, string>;
  /** The network fetch; defaults to globalThis.fetch. */
  baseFetch?: typeof fetch;
}

export interface SingleAttemptFetch {
  fetch: typeof fetch;
  /** The real outcome when the one request did not return a 2xx; null after a success or before any call. */
  failure(): AttemptFailure | null;
  /** Requests that actually went to the network: 0 or 1. */
  requestsSent(): number;
}

/**
 * Ends the client's retry loop: it retries GET on 429 and >= 500 and other methods on 429 only.
 * 499 ("client closed request") is neither, and is never seen outside this module and the client.
 */
const LOOP_BREAKING_STATUS = 499;

export function createSingleAttemptFetch(options: SingleAttemptFetchOptions): SingleAttemptFetch {
  const baseFetch = options.baseFetch ?? globalThis.fetch;
  let sent = 0;
  let captured: AttemptFailure | null = null;

  const singleAttempt = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    if (sent > 0) {
      captured ??= { kind: 'refused', reason: 'the replicate client tried a second HTTP request in one call' };
      return loopBreakingResponse();
    }
    sent += 1;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(options.extraHeaders ?? {})) headers.set(name, value);
    try {
      const response = await baseFetch(input, { ...init, headers, signal });
      if (response.ok) return response;
      captured = {
        kind: 'http',
        status: response.status,
        statusText: response.statusText,
        retryAfter: response.headers.get('retry-after'),
        body: await response.text(),
      };
    } catch (error) {
      captured = { kind: 'network', error };
    }
    return loopBreakingResponse();
  };

  return { fetch: singleAttempt as typeof fetch, failure: () => captured, requestsSent: () => sent };
}

function loopBreakingResponse(): Response {
  return new Response('clipgen: single attempt ended; see the captured outcome', {
    status: LOOP_BREAKING_STATUS,
    statusText: 'Single attempt ended',
  });
}
