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
