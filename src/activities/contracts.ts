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

/** A created prediction, and whether Replicate will call our webhook about it. */
export interface CreatedPrediction extends PredictionSnapshot {
  /**
   * Set when the create carried our webhook URL: the workflow then waits for the webhook's signal and polls
   * only as a safety net, every `fallbackPollIntervalMs`. Null means plain polling.
   */
  webhook: { fallbackPollIntervalMs: number } | null;
}

export interface CheckBudgetInput {
  jobId: string;
  clipIndex: number;
  /** Decimal USD the clip is expected to cost (the plan's estimate, at catalogue prices). */
  estimateUsd: string;
  /**
   * The plan's model and duration. When given and the worker overrides that model's price, the activity
   * re-estimates at the override and reserves that instead (returned as BudgetStatus.estimateUsd).
   */
  plan?: { model: ModelId; plannedDuration: number };
}

export interface BudgetStatus {
  budgetUsd: string | null;
  bookedUsd: string;
  /** Estimates of the job's other clips still in flight (reserved, not yet booked). */
  reservedUsd: string;
  /** The estimate reserved for this clip: pass it on to recordClipCost. */
  estimateUsd: string;
}

/** Frees a clip's budget reservation when it ends without a booking (failure, cancellation). */
export interface ReleaseBudgetInput {
  jobId: string;
  clipIndex: number;
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
