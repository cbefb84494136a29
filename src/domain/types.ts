/** The public contract of generateClipWorkflow (docs/architecture.md). Pure types, shared by every layer. */

/** Ids of the models in the catalogue (src/domain/catalogue.ts). */
export type ModelId = 'svd' | 'cogvideox' | 'kling-v2.1' | 'hailuo-02';

import type { Duration } from '@temporalio/common';

/** A Temporal duration: milliseconds, or a string such as '3s' or '2 minutes'. */
export type DurationLike = Duration;

export interface ClipPrompt {
  clipIndex: number;
  prompt: string;
  negativePrompt?: string;
  /** Target duration in seconds. */
  duration: number;
  /** First frame (http or https). Required by image-to-video models. */
  imageUrl?: string;
}

/** Model-agnostic knobs; each catalogue entry maps the ones it understands onto its own input names. */
export interface GenerationSettings {
  /** Frames per second the model should render at (where the model lets us choose). */
  fps?: number;
  seed?: number;
  /** Amount of motion, 1-255 (SVD's motion_bucket_id). */
  motion?: number;
  /** Conditioning augmentation (SVD's cond_aug). */
  condAug?: number;
  /** Output resolution where the model offers a choice, e.g. '768p'. */
  resolution?: string;
  aspectRatio?: '16:9' | '9:16' | '1:1';
  /** Diffusion steps (CogVideoX). */
  steps?: number;
  /** Classifier-free guidance (CogVideoX). */
  guidance?: number;
  /** Let the model rewrite the prompt (CogVideoX's extend_prompt, Hailuo's prompt_optimizer). */
  extendPrompt?: boolean;
}

export interface ModelChoice {
  primary: ModelId;
  fallback?: ModelId | null;
}

export interface GenerateClipInput {
  /** UUID of the pipeline job. */
  jobId: string;
  clip: ClipPrompt;
  models?: ModelChoice;
  settings?: GenerationSettings;
  environment?: 'production' | 'development';
  /** Default '3s'. */
  pollInterval?: DurationLike;
  /** How long the prediction may run once it has started. Default: the model's catalogue deadline. */
  deadline?: DurationLike;
  /**
   * How long the prediction may wait to start (queued, or its worker booting; not billed) before the fallback model
   * is tried. Default: the model's catalogue start limit.
   */
  startLimit?: DurationLike;
}

export interface ProbedVideo {
  /** Seconds, as measured by ffprobe. */
  duration: number;
  width: number;
  height: number;
  fps: number;
  codec: string;
  frames: number | null;
}

export interface Clip {
  clipIndex: number;
  videoUrl: string;
  storagePath: string;
  actualDuration: number;
  targetDuration: number;
  durationDiff: number;
  status: 'success';
  /** Decimal USD, exact. */
  cost: string;
  costSource: 'actual' | 'estimate';
  model: ModelId;
  predictionId: string;
  fallbackUsed: boolean;
  retryCount: number;
  /** Seconds from the first create to the terminal prediction status. */
  generationTime: number;
  video: { width: number; height: number; fps: number; codec: string; bytes: number; sha256: string };
  /**
   * Every prediction of this clip that Replicate billed and clipgen booked: this clip's own (`cost`), and any failed,
   * canceled or stray one before it. A failed clip carries the same record in its failure's details.
   */
  bookings: ClipBookings;
}

/** One booked prediction of a clip. */
export interface BookedPrediction {
  predictionId: string;
  model: ModelId;
  status: PredictionStatus;
  /** Decimal USD, exact, as booked in the job's ledger. */
  amountUsd: string;
}

export interface ClipBookings {
  /** Decimal USD: the sum of `predictions`. */
  totalUsd: string;
  predictions: BookedPrediction[];
}

/** The record a parent keeps for a clip whose workflow failed (see toFailedClip). */
export interface FailedClip {
  clipIndex: number;
  status: 'failed';
  failureType: string;
  message: string;
  retryable: boolean;
  workflowId?: string;
  /**
   * What the failed clip booked in the job's ledger before it failed (predictions Replicate billed: a failed or
   * canceled run, or a succeeded one whose output then failed), from its failure's details. Absent when it booked
   * nothing, and for a clip the parent never started or that another run owns.
   */
  bookings?: ClipBookings;
}

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

export const TERMINAL_STATUSES: readonly PredictionStatus[] = ['succeeded', 'failed', 'canceled', 'aborted'];

export function isTerminalStatus(status: PredictionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** What we keep of a Replicate prediction: small, secret-free, safe for workflow history. */
export interface PredictionSnapshot {
  id: string;
  model: ModelId;
  status: PredictionStatus;
  /** The first output URL, once succeeded. */
  outputUrl: string | null;
  error: string | null;
  /** Seconds of billed compute (Replicate's metrics.predict_time). */
  predictTime: number | null;
  /** Per-output billing metric for official models (metrics.video_output_duration_seconds). */
  videoOutputDurationSeconds: number | null;
  /**
   * The variant metrics an official model reports beside its billing metric (Replicate's billing metrics), which
   * say which of its prices applies: metrics.resolution_target (e.g. '1080p'), model_variant, motion_mode,
   * with_audio. Present only when reported; a missing one is normal (absent and null mean the same).
   */
  resolutionTarget?: string | null;
  modelVariant?: string | null;
  motionMode?: string | null;
  withAudio?: boolean | null;
  createdAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  dataRemoved: boolean;
}

/** Every model the catalogue knows, in the order messages list them. */
export const MODEL_IDS: readonly ModelId[] = ['svd', 'cogvideox', 'kling-v2.1', 'hailuo-02'];

export function isModelId(value: unknown): value is ModelId {
  return typeof value === 'string' && (MODEL_IDS as readonly string[]).includes(value);
}

/**
 * What one create of a prediction asks Replicate for: the create activity's input, which the Replicate gateway sends
 * and a retried create (or the stray sweep) matches earlier attempts' predictions against. Pure types: workflows,
 * activities and the Replicate adapter share them. They land in workflow history, so they stay small, serialisable
 * and free of secrets.
 */

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
