import type { Client } from '@temporalio/client';
import type { IncomingHttpHeaders } from 'node:http';
import type { PredictionSnapshot } from '../domain/types';
import { asPredictionJson, toPredictionSnapshot } from '../replicate/snapshot';
import { verifyWebhook } from '../replicate/webhook-signature';
import type { DeliveryOutcome } from './outcomes';
import type { SeenWebhookIds } from './replay-guard';
import { signalPredictionUpdate } from './signal-workflow';
import { webhookTargetOf, type WebhookTarget } from './webhook-url';

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

const PREDICTION_ID = /^[A-Za-z0-9_-]{1,100}$/;

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
