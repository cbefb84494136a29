import { msToNumber } from '@temporalio/common/lib/time';

/** Replicate webhooks (README "Webhooks"): on when WEBHOOK_PUBLIC_URL is set. */
export interface WebhookConfig {
  /** Where Replicate reaches the receiver (https in production); null means plain polling. */
  publicUrl: string | null;
  /** `whsec_…`; null means "fetch it from Replicate when the receiver starts". Never printed. */
  secret: string | null;
  host: string;
  port: number;
  /** How often a workflow still polls while it waits for the webhook. */
  fallbackPollIntervalMs: number;
  /** Run the receiver inside each worker process rather than as `clipgen webhooks`. */
  inWorker: boolean;
}

/** The subset of config.ts's EnvReader used here. */
export interface WebhookEnvReader {
  string(name: string): string | null;
  url(name: string): string | null;
  positiveInteger(name: string): number | null;
  boolean(name: string): boolean | null;
  /** Checked against the limits; a string as written, or milliseconds. */
  duration(name: string, limits: { minMs: number; maxMs: number }): string | number | null;
}

export const DEFAULT_WEBHOOK_PORT = 8788;
const DEFAULT_FALLBACK_POLL_INTERVAL_MS = 30_000;
const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export function readWebhookConfig(read: WebhookEnvReader, problems: string[]): WebhookConfig {
  const publicUrl = read.url('WEBHOOK_PUBLIC_URL');
  const secret = read.string('REPLICATE_WEBHOOK_SECRET');
  if (secret !== null && !SECRET_SHAPE.test(secret)) {
    problems.push('REPLICATE_WEBHOOK_SECRET must be the whsec_… key from GET /v1/webhooks/default/secret');
  }
  const port = read.positiveInteger('WEBHOOK_PORT') ?? DEFAULT_WEBHOOK_PORT;
  if (port > 65_535) problems.push(`WEBHOOK_PORT must be a TCP port (got ${port})`);
  const interval = read.duration('WEBHOOK_FALLBACK_POLL_INTERVAL', { minMs: 1000, maxMs: 3_600_000 });
  const inWorker = read.boolean('WEBHOOKS_IN_WORKER') ?? false;
  if (inWorker && publicUrl === null) {
    problems.push('WEBHOOKS_IN_WORKER=true needs WEBHOOK_PUBLIC_URL (the address Replicate posts to)');
  }
  return {
    publicUrl,
    secret: secret !== null && SECRET_SHAPE.test(secret) ? secret : null,
    host: read.string('WEBHOOK_HOST') ?? '127.0.0.1',
    port,
    fallbackPollIntervalMs: interval === null ? DEFAULT_FALLBACK_POLL_INTERVAL_MS : durationMs(interval),
    inWorker,
  };
}

/** Same reading as EnvReader.duration: a bare number is milliseconds. */
function durationMs(value: string | number): number {
  if (typeof value === 'number') return value;
  return msToNumber(/^\d+(\.\d+)?$/.test(value) ? Number(value) : (value as `${number}s`));
}
