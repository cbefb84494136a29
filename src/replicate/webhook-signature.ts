/**
 * Replicate webhook signatures (Standard Webhooks; reference §6): `webhook-signature` holds space-separated
 * `v1,<base64 HMAC-SHA256 of "${id}.${timestamp}.${rawBody}">`, keyed with base64-decode(secret after `whsec_`).
 * Unlike the client's validateWebhook, this compares in constant time and rejects stale timestamps.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { FailureType, clipFailure } from '../domain/failures';
import { redactSecrets } from './classify-error';
import { createSingleAttemptClient, type ReplicateClientConfig } from './client';

export interface WebhookMessage {
  id: string;
  /** Unix seconds. */
  timestamp: string | number;
  /** The raw request body, byte for byte. */
  body: string | Uint8Array;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  headers: WebhookHeaders;
  rawBody: string | Uint8Array;
  secret: string;
  now?: Date;
  /** Largest accepted distance between `webhook-timestamp` and now. Default 300 (±5 minutes). */
  toleranceSeconds?: number;
}

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

const DEFAULT_TOLERANCE_SECONDS = 300;

/** The `webhook-signature` value for a message: `v1,<base64>`. */
export function signWebhook(message: WebhookMessage, secret: string): string {
  return `v1,${hmac(message, signingKey(secret)).toString('base64')}`;
}

export function verifyWebhook(options: VerifyWebhookOptions): WebhookVerification {
  const id = headerValue(options.headers, 'webhook-id');
  const timestamp = headerValue(options.headers, 'webhook-timestamp');
  const signatures = headerValue(options.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  }
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };

  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const skew = nowSeconds - Number(timestamp);
  if (skew > tolerance) return { ok: false, reason: `webhook-timestamp is ${skew} s old (tolerance ${tolerance} s)` };
  if (-skew > tolerance) {
    return { ok: false, reason: `webhook-timestamp is ${-skew} s in the future (tolerance ${tolerance} s)` };
  }

  const key = signingKey(options.secret);
  if (key.length === 0) return { ok: false, reason: 'the webhook secret is not a whsec_<base64> key' };
  const expected = hmac({ id, timestamp, body: options.rawBody }, key);
  const matches = signatures
    .split(/\s+/)
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  return matches ? { ok: true } : { ok: false, reason: 'no webhook-signature entry matches the body' };
}

function signingKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return Buffer.from(encoded, 'base64');
}

function hmac(message: WebhookMessage, key: Buffer): Buffer {
  return createHmac('sha256', key).update(`${message.id}.${message.timestamp}.`).update(message.body).digest();
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (isFetchHeaders(headers)) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

function isFetchHeaders(headers: WebhookHeaders): headers is Headers {
  return typeof (headers as Headers).get === 'function';
}

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/**
 * The account's webhook signing secret (`GET /v1/webhooks/default/secret`), for a receiver started without
 * REPLICATE_WEBHOOK_SECRET. One HTTP attempt under the client's timeout; failures are classified and never
 * carry the API token or the secret.
 */
export async function fetchWebhookSecret(config: ReplicateClientConfig, signal?: AbortSignal): Promise<string> {
  const single = createSingleAttemptClient(config);
  const secrets = [single.token, config.apiToken];
  let key: unknown;
  try {
    key = (await single.client.webhooks.default.secret.get({ signal })).key;
  } catch (error) {
    throw secretFailure(single.failure(), error, secrets);
  }
  if (typeof key !== 'string' || !SECRET_SHAPE.test(key)) {
    throw clipFailure(FailureType.Retryable, 'Replicate answered the webhook secret request without a whsec_ key');
  }
  return key;
}

function secretFailure(
  failure: ReturnType<ReturnType<typeof createSingleAttemptClient>['failure']>,
  error: unknown,
  secrets: (string | undefined)[],
) {
  const subject = 'Fetching the webhook signing secret from Replicate failed';
  if (failure?.kind === 'http') {
    const detail = redactSecrets(failure.body.slice(0, 200), secrets);
    const type =
      failure.status === 401 || failure.status === 403
        ? FailureType.Authentication
        : failure.status === 429 || failure.status >= 500
          ? FailureType.Retryable
          : FailureType.InvalidInput;
    return clipFailure(type, `${subject} (HTTP ${failure.status}): ${detail}`);
  }
  const cause = failure?.kind === 'network' ? failure.error : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return clipFailure(FailureType.Retryable, redactSecrets(`${subject}: ${message}`, secrets));
}
