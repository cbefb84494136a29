/**
 * Inputs and outputs of the activities. Workflows import these types only; everything here must be
 * small, serialisable and free of secrets, because it lands in workflow history.
 */
import type { ModelId, PredictionSnapshot } from '../domain/types';

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

export interface CheckBudgetInput {
  jobId: string;
  clipIndex: number;
  /** Decimal USD the clip is expected to cost. */
  estimateUsd: string;
}

export interface BudgetStatus {
  budgetUsd: string | null;
  bookedUsd: string;
}

export interface ProbeVideoInput {
  url: string;
}

export interface StoreClipInput {
  jobId: string;
  clipIndex: number;
  sourceUrl: string;
}

export interface StoreClipResult {
  url: string;
  storagePath: string;
  bytes: number;
  sha256: string;
}

export interface RecordClipCostInput {
  jobId: string;
  clipIndex: number;
  prediction: PredictionSnapshot;
  /** Decimal USD from the plan; booked when the prediction carries no usable metrics. */
  estimateUsd: string;
}

export interface RecordedCost {
  amountUsd: string;
  source: 'actual' | 'estimate';
  /** False when an earlier attempt had already booked this prediction. */
  applied: boolean;
  jobTotalUsd: string;
}
