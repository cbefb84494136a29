/**
 * One webhook message, from its bytes to the workflow's signal: what became of it (and the status it is answered
 * with), the replay guard, and the signal.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { IncomingHttpHeaders } from 'node:http';
import type { PredictionSnapshot } from '../domain/types';
import { webhookTargetOf, type WebhookTarget } from '../domain/webhook-url';
import { asPredictionJson, PREDICTION_ID, toPredictionSnapshot } from '../replicate/snapshot';
import { verifyWebhook } from '../replicate/webhook-signature';
import { predictionUpdatedSignal } from '../workflows/signals';

export interface DeliveryRequest {
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** Safe to log: no body, no secret. */
export interface DeliveryResult {
  outcome: DeliveryOutcome;
  reason?: string;
  webhookId?: string;
  workflowId?: string;
  predictionId?: string;
  predictionStatus?: PredictionSnapshot['status'];
}

export interface DeliveryHandlerOptions {
  secret: string;
  client: Pick<Client, 'workflow' | 'withDeadline'>;
  toleranceSeconds: number;
  signalTimeoutMs: number;
  seen: SeenWebhookIds;
  now: () => number;
}

/**
 * One webhook message: verify its signature and timestamp, skip a webhook-id already handled, read the workflow
 * and prediction, signal the workflow. Concurrent deliveries of one webhook-id (Replicate retrying a slow answer)
 * wait for the first, so a message signals at most once unless signalling failed.
 */
export class DeliveryHandler {
  private readonly inFlight = new Map<string, Promise<DeliveryResult>>();

  constructor(private readonly options: DeliveryHandlerOptions) {}

  async handle(request: DeliveryRequest): Promise<DeliveryResult> {
    const { secret, toleranceSeconds, now, seen } = this.options;
    const verification = verifyWebhook({
      headers: request.headers,
      rawBody: request.rawBody,
      secret,
      now: new Date(now()),
      toleranceSeconds,
    });
    if (!verification.ok) {
      const outcome = isOutsideWindow(request.headers, now(), toleranceSeconds) ? 'stale' : 'bad-signature';
      return { outcome, reason: verification.reason };
    }
    const webhookId = String(request.headers['webhook-id']).trim();
    for (let pending = this.inFlight.get(webhookId); pending; pending = this.inFlight.get(webhookId)) {
      await pending;
    }
    if (seen.has(webhookId)) return { outcome: 'duplicate', webhookId };

    const work = this.process(request).then((result) => ({ ...result, webhookId }));
    this.inFlight.set(webhookId, work);
    try {
      const result = await work;
      // Only a handled message is remembered: after a failed signal, Replicate's retry must get through.
      if (result.outcome === 'signalled' || result.outcome === 'no-workflow') seen.remember(webhookId);
      return result;
    } finally {
      this.inFlight.delete(webhookId);
    }
  }

  private async process(request: DeliveryRequest): Promise<DeliveryResult> {
    const parsed = webhookTargetOf(request.query);
    if (!parsed.ok) return { outcome: 'malformed', reason: parsed.reason };
    const { target } = parsed;
    const read = readPrediction(request.rawBody, target);
    if ('reason' in read) return { outcome: 'malformed', reason: read.reason, workflowId: target.workflowId };
    const { snapshot } = read;
    const described = {
      workflowId: target.workflowId,
      predictionId: snapshot.id,
      predictionStatus: snapshot.status,
    };
    try {
      const outcome = await signalPredictionUpdate(
        this.options.client,
        target.workflowId,
        snapshot,
        this.options.signalTimeoutMs,
      );
      return { outcome, ...described };
    } catch (error) {
      return { outcome: 'signal-failed', reason: error instanceof Error ? error.message : String(error), ...described };
    }
  }
}

function readPrediction(rawBody: Buffer, target: WebhookTarget): { snapshot: PredictionSnapshot } | { reason: string } {
  let json;
  try {
    json = asPredictionJson(JSON.parse(rawBody.toString('utf8')));
  } catch (error) {
    return { reason: `the body is not a prediction (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!PREDICTION_ID.test(json.id)) return { reason: 'the body carries no valid prediction id' };
  // The query is not signed, the body is: when Replicate echoes the webhook URL, it must name the same target.
  if (typeof json.webhook === 'string' && !sameTarget(json.webhook, target)) {
    return { reason: "the URL's workflowId or model differs from the signed body's webhook" };
  }
  return { snapshot: toPredictionSnapshot(target.model, json) };
}

function sameTarget(signedWebhookUrl: string, target: WebhookTarget): boolean {
  let query: URLSearchParams;
  try {
    query = new URL(signedWebhookUrl).searchParams;
  } catch {
    return false;
  }
  const signed = webhookTargetOf(query);
  return signed.ok && signed.target.workflowId === target.workflowId && signed.target.model === target.model;
}

function isOutsideWindow(headers: IncomingHttpHeaders, nowMs: number, toleranceSeconds: number): boolean {
  const timestamp = headers['webhook-timestamp'];
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp.trim())) return false;
  return Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > toleranceSeconds;
}

/** What became of one webhook request, and the HTTP status it is answered with. */
export const DELIVERY_STATUS = {
  /** The workflow was signalled with the prediction. */
  signalled: 200,
  /** A webhook-id already handled (Replicate's retry, or a replay): nothing is signalled again. */
  duplicate: 200,
  /** The workflow has closed or never existed: nothing left to wake. */
  'no-workflow': 200,
  /** Missing or non-matching signature headers. */
  'bad-signature': 401,
  /** webhook-timestamp outside the accepted window. */
  stale: 401,
  /** Unreadable body, or a query without a valid workflow id and model. */
  malformed: 400,
  'too-large': 413,
  /** Temporal did not take the signal: a 5xx makes Replicate deliver again. */
  'signal-failed': 503,
  /** Anything unexpected while handling the request. */
  error: 500,
  'not-found': 404,
  'method-not-allowed': 405,
} as const;

export type DeliveryOutcome = keyof typeof DELIVERY_STATUS;

export type DeliveryCounts = Record<DeliveryOutcome, number>;

export function emptyCounts(): DeliveryCounts {
  return Object.fromEntries(Object.keys(DELIVERY_STATUS).map((outcome) => [outcome, 0])) as DeliveryCounts;
}

/**
 * The webhook-ids already handled, so a replayed message is recognised. An id only needs remembering while its
 * timestamp is inside the accepted window (older ones fail the timestamp check anyway), so entries expire after
 * `ttlMs`; `maxEntries` bounds memory under a flood, evicting the oldest first.
 */
export class SeenWebhookIds {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(id: string): boolean {
    const at = this.seenAt.get(id);
    if (at === undefined) return false;
    if (this.now() - at < this.ttlMs) return true;
    this.seenAt.delete(id);
    return false;
  }

  remember(id: string): void {
    const now = this.now();
    this.seenAt.delete(id);
    this.seenAt.set(id, now);
    this.evict(now);
  }

  get size(): number {
    return this.seenAt.size;
  }

  private evict(now: number): void {
    // Map iteration is insertion order, i.e. oldest first.
    for (const [id, at] of this.seenAt) {
      if (this.seenAt.size <= this.maxEntries && now - at < this.ttlMs) break;
      this.seenAt.delete(id);
    }
  }
}

export type SignalOutcome = 'signalled' | 'no-workflow';

/**
 * Signals the clip's workflow (its current run) with the prediction. A workflow that has closed or never existed
 * has nothing left to wake: 'no-workflow'. Any other failure, including no answer within `timeoutMs`, throws.
 */
export async function signalPredictionUpdate(
  client: Pick<Client, 'workflow' | 'withDeadline'>,
  workflowId: string,
  snapshot: PredictionSnapshot,
  timeoutMs: number,
): Promise<SignalOutcome> {
  try {
    await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.getHandle(workflowId).signal(predictionUpdatedSignal, snapshot),
    );
    return 'signalled';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'no-workflow';
    throw error;
  }
}
