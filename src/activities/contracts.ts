/**
 * Inputs and outputs of the activities. Workflows import these types only; everything here must be
 * small, serialisable and free of secrets, because it lands in workflow history.
 */
import type { CreateIdentity, ModelId, PredictionSnapshot, ProbedVideo } from '../domain/types';

// What a create asks for is the domain's (the Replicate gateway sends it too); re-exported for the workflows.
export type { CreateIdentity, CreatePredictionInput, WebhookEvent } from '../domain/types';

/** A created prediction, and whether Replicate will call our webhook about it. */
export interface CreatedPrediction extends PredictionSnapshot {
  /**
   * Set when the create carried our webhook URL: the workflow then waits for the webhook's signal and polls only as
   * a safety net, when the prediction's start limit or deadline comes (or every `fallbackPollIntervalMs`, when set).
   * Null means plain polling.
   */
  webhook: { fallbackPollIntervalMs: number | null } | null;
  /** True when a retried create found the prediction an earlier attempt made instead of creating one. */
  adopted?: boolean;
  /**
   * Set when an earlier attempt of this create may have reached Replicate unanswered (the create took more than
   * one attempt): Replicate may still carry that request out, after our lookup, making a second prediction.
   * The workflow then sweeps for such strays until `untilMs`. Null when every attempt was answered.
   */
  strayWatch: StrayWatch | null;
}

/** The window in which an abandoned create attempt can still turn into a prediction. Worker clock, epoch ms. */
export interface StrayWatch {
  /** Predictions created before this are not the create's (as for the lookup of an earlier attempt). */
  createdAfterMs: number;
  /** A create attempt Replicate has not carried out by then is taken never to be. */
  untilMs: number;
}

/**
 * A create whose activity never returned (the clip was cancelled, or its retries ran out): its attempts may still
 * turn into predictions. The sweep looks back this far from its own first attempt, and watches on from there.
 */
export interface AbandonedCreateWatch {
  lookBackMs: number;
}

/** Cancels every prediction of one create but the one the workflow kept, while strays can still appear. */
export interface SweepStrayPredictionsInput {
  create: CreateIdentity;
  /** The prediction the clip goes on with; null when the create never returned, so that every one is a stray. */
  keepId: string | null;
  watch: StrayWatch | AbandonedCreateWatch;
}

export interface ReserveBudgetInput {
  jobId: string;
  clipIndex: number;
  /**
   * The plan's model, duration and billing variant (`ModelPlan.variant`): the reservation and the estimate are priced
   * at the worker's price of that variant. Null (a model priced one way): the model's price; for a variant-priced
   * model, its dearest variant, so the reservation stays a bound.
   */
  plan: { model: ModelId; plannedDuration: number; variant: string | null };
  /**
   * The longest the prediction can run before it is stopped (the clip's deadline plus the `Cancel-After` margin):
   * a time-billed model's reservation is its price for this many seconds, so the budget bounds what can be spent.
   */
  maxRunSeconds: number;
}

export interface BudgetStatus {
  budgetUsd: string | null;
  bookedUsd: string;
  /** What the job's other clips in flight hold reserved (not yet booked). */
  reservedUsd: string;
  /** What this clip now holds reserved: the most its next prediction can cost. */
  reservationUsd: string;
  /** The typical cost, at the worker's prices: booked when a prediction reports no billing metric. */
  estimateUsd: string;
}

/** Frees a clip's budget reservation when it ends without a booking (failure, cancellation). */
export interface ReleaseBudgetInput {
  jobId: string;
  clipIndex: number;
}

/**
 * The output of a succeeded prediction, fetched once from Replicate (through the download policy) onto the worker's
 * disk, probed there with ffprobe, and uploaded byte for byte to `{bucket}/{jobId}/clip_{clipIndex}.mp4`.
 */
export interface FetchProbeStoreInput {
  jobId: string;
  clipIndex: number;
  predictionId: string;
  outputUrl: string;
}

/** The stored clip: exactly the probed bytes (their size and SHA-256 are in the object's metadata too). */
export interface StoredClip {
  url: string;
  storagePath: string;
  bytes: number;
  sha256: string;
  video: ProbedVideo;
}

export interface RecordClipCostInput {
  jobId: string;
  clipIndex: number;
  prediction: PredictionSnapshot;
  /** Decimal USD from the plan; booked when the prediction carries no usable metrics. */
  estimateUsd: string;
  /**
   * The plan's billing variant (`ModelPlan.variant`): the price booked when the prediction's metrics report no
   * variant. Null: the variant it reports, else the model's dearest.
   */
  variant: string | null;
}

export interface RecordedCost {
  predictionId: string;
  status: PredictionSnapshot['status'];
  amountUsd: string;
  source: 'actual' | 'estimate';
  /** False when an earlier attempt had already booked this prediction, or when Replicate bills it nothing. */
  applied: boolean;
  jobTotalUsd: string;
}
