/**
 * Replicate webhook signatures (Standard Webhooks; reference §6): `webhook-signature` holds space-separated
 * `v1,<base64 HMAC-SHA256 of "${id}.${timestamp}.${rawBody}">`, keyed with base64-decode(secret after `whsec_`).
 * Unlike the client's validateWebhook, this compares in constant time and rejects stale timestamps.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

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
