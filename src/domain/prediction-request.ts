/**
 * What one create of a prediction asks Replicate for: the create activity's input, which the Replicate gateway sends
 * and a retried create (or the stray sweep) matches earlier attempts' predictions against. Pure types: workflows,
 * activities and the Replicate adapter share them. They land in workflow history, so they stay small, serialisable
 * and free of secrets.
 */
import type { ModelId } from './types';

export type WebhookEvent = 'start' | 'output' | 'logs' | 'completed';

export interface CreatePredictionInput {
  model: ModelId;
  /** The model's input object, as planned by the catalogue. */
  input: Record<string, unknown>;
  /**
   * Unique per clip branch. Carried in the webhook URL's query (or, without webhooks, matched on the
   * input), so a retried create can find a prediction an earlier attempt made instead of paying twice.
   */
  idempotencyToken: string;
  /** Sent as `Cancel-After`, so Replicate itself stops a prediction we have stopped waiting for. */
  cancelAfterSeconds?: number;
  webhook?: { url: string; events: WebhookEvent[] };
}

/** What identifies one create across its attempts: the predictions it made match these. */
export type CreateIdentity = Pick<CreatePredictionInput, 'model' | 'input' | 'idempotencyToken'>;
