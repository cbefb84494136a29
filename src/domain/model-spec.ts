/** The shape of a catalogue entry. Each model file under ./models builds one of these. */
import type { ReplicateRef } from './replicate-refs';
import type { ClipPrompt, GenerationSettings, ModelId } from './types';

/** A planned duration may differ from the target by at most this many seconds. */
export const DURATION_TOLERANCE_SECONDS = 2;

/** One billing variant's price: USD per output second, the date it was checked, and where it comes from. */
export interface VariantPrice {
  usdPerUnit: string;
  checkedOn: string;
  note: string;
}

/** The variant metrics an official model's prediction can report beside its billing metric (Replicate's names). */
export type VariantMetric = 'model_variant' | 'resolution_target' | 'motion_mode' | 'with_audio';

export type PriceModel =
  | { kind: 'hardware-time'; hardware: string; usdPerSecond: string; checkedOn: string; note?: string }
  | {
      kind: 'per-output-second';
      metric: 'video_output_duration_seconds';
      /**
       * The price of each billing variant, cheapest first, keyed by the variant the plan asks for: Kling's mode
       * ('standard', 'pro'), Hailuo's resolution ('512p', '768p', '1080p').
       */
      variants: Readonly<Record<string, VariantPrice>>;
      /**
       * Which reported metric values name which variant, in order of precedence, e.g.
       * `{ resolution_target: { '720p': 'standard', '1080p': 'pro' } }`. A value not listed names no variant.
       */
      reportedAs: Readonly<Partial<Record<VariantMetric, Readonly<Record<string, string>>>>>;
    };

export interface ModelPlan {
  model: ModelId;
  /** Exactly the Replicate input object for this model. */
  input: Record<string, unknown>;
  /** Seconds the model will really produce. */
  plannedDuration: number;
  frames: number;
  /** The frame rate the output file is encoded at. */
  fps: number;
  /** Decimal USD. */
  estimatedCostUsd: string;
  /**
   * The billing variant this input is priced as ('pro', '768p'): a key of the model's `price.variants`, or null for a
   * model with a single price. Budgets and estimates use it, and a booking when the prediction reports no variant.
   */
  variant: string | null;
  /** One line for operators, e.g. '25 frames at 7 fps (3.571 s) on stability-ai/stable-video-diffusion'. */
  summary: string;
}

export interface ModelSpec {
  id: ModelId;
  label: string;
  replicate: ReplicateRef;
  kind: 'image-to-video' | 'text-to-video' | 'text-or-image-to-video';
  requiresImage: boolean;
  /** Whether the model uses clip.imageUrl at all; a model that does not ignores it. */
  acceptsImage: boolean;
  /** Default clip deadline: how long a prediction may run, counted from its start (queueing and boots excluded). */
  deadlineSeconds: number;
  /**
   * Default start limit: how long a prediction may stay `starting` (queued, or a worker cold-booting; not billed)
   * before it is cancelled and the fallback model tried. Generous for community models, which boot on demand.
   */
  startLimitSeconds: number;
  price: PriceModel;
  /** Seconds of billed compute a typical run takes; the estimate of time-billed models is price × this. */
  typicalPredictSeconds: number;
  /** Shortest and longest output, in seconds, over every option the model offers. */
  reachableDurations: { min: number; max: number };
  /**
   * Every Replicate input `plan` may send, with the values or range it may take: what `clipgen doctor` compares
   * with the model's published input schema (test/domain/schema-drift.test.ts keeps it in step with `plan`).
   */
  inputs: PlannedInputs;
  /** Throws InvalidInput naming the offending field (clip.duration, clip.imageUrl, settings.x). */
  plan(clip: ClipPrompt, settings: GenerationSettings): ModelPlan;
}

/** One Replicate input a model's plan may send. */
export interface PlannedInput {
  /** The JSON type of the value sent. */
  type: 'string' | 'integer' | 'number' | 'boolean';
  /** `always`: every plan sends it; `sometimes`: only when a clip field or setting asks for it. */
  sent: 'always' | 'sometimes';
  /** Every value a plan may send, when it picks from a fixed set (the model's enum). */
  values?: readonly (string | number)[];
  /** The inclusive range a plan may send, when it passes a number through. */
  range?: { min: number; max: number };
  format?: 'uri';
}

/** By Replicate input name. */
export type PlannedInputs = Readonly<Record<string, PlannedInput>>;
