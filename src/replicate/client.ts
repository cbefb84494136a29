import Replicate from 'replicate';
import { createSingleAttemptFetch, type AttemptFailure } from './single-attempt-fetch';

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
