import { createHmac } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { FaultBook, FaultSubject } from '../faults';
import { newWebhookMessageId } from '../ids';
import { sleep } from '../time';
import type { SimulatorStats } from '../types';
import { postOnce } from './post';

const RETRY_DELAYS_MS = [100, 300, 600];
const ATTEMPT_TIMEOUT_MS = 5000;

export interface WebhookMessage {
  predictionId: string;
  url: string;
  /** The prediction JSON, serialised once so every retry sends the same bytes. */
  body: string;
  subject: FaultSubject;
}

/**
 * Delivers webhook messages in order per prediction, signed as Replicate signs them, retrying on non-2xx
 * and network errors with a short backoff. The webhook-id stays the same across a message's retries.
 */
export class WebhookDispatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly secret: string,
    private readonly faults: FaultBook,
    private readonly stats: Pick<SimulatorStats, 'webhooksDelivered' | 'webhooksFailed'>,
  ) {
    // Every delivery in flight listens for the close, and stops listening when it ends: a burst of predictions
    // ending together is not a leak, and Node's warning past 10 listeners would say it is.
    setMaxListeners(0, this.abort.signal);
  }

  send(message: WebhookMessage): void {
    const previous = this.chains.get(message.predictionId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(message));
    this.chains.set(message.predictionId, next);
    void next.finally(() => {
      if (this.chains.get(message.predictionId) === next) this.chains.delete(message.predictionId);
    });
  }

  /** Resolves once every queued message was delivered or given up on. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Stops deliveries and retries in flight, then waits until they are gone. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private async deliver(message: WebhookMessage): Promise<void> {
    const id = newWebhookMessageId();
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt += 1) {
      if (this.abort.signal.aborted) return;
      if (await this.attempt(id, message)) {
        this.stats.webhooksDelivered += 1;
        return;
      }
      this.stats.webhooksFailed += 1;
      if (attempt < RETRY_DELAYS_MS.length && !(await sleep(RETRY_DELAYS_MS[attempt], this.abort.signal))) return;
    }
  }

  private async attempt(id: string, message: WebhookMessage): Promise<boolean> {
    if (this.faults.take('webhook', message.subject, ['webhook-fail'])) return false;
    // Signed with the wall clock: receivers check the timestamp against theirs, whatever clock predictions use.
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Replicate-Webhooks/1.0',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(this.secret, id, timestamp, message.body),
    };
    try {
      const status = await postOnce(message.url, headers, message.body, {
        timeoutMs: ATTEMPT_TIMEOUT_MS,
        signal: this.abort.signal,
      });
      return status >= 200 && status < 300;
    } catch {
      return false;
    }
  }
}

/**
 * Replicate's (Standard Webhooks / Svix) signature: `v1,` + base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`,
 * keyed with the base64-decoded part of the secret after `whsec_`.
 */
export function signWebhook(secret: string, id: string, timestamp: number | string, body: string): string {
  const key = Buffer.from(secret.slice(secret.indexOf('_') + 1), 'base64');
  const digest = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${digest}`;
}
