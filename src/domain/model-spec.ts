/** The shape of a catalogue entry. Each model file under ./models builds one of these. */
import type { ReplicateRef } from './replicate-refs';
import type { ClipPrompt, GenerationSettings, ModelId } from './types';

/** A planned duration may differ from the target by at most this many seconds. */
export const DURATION_TOLERANCE_SECONDS = 2;

export type PriceModel =
  | { kind: 'hardware-time'; hardware: string; usdPerSecond: string; checkedOn: string; note?: string }
  | {
      kind: 'per-output-second';
      metric: 'video_output_duration_seconds';
      usdPerUnit: string;
      checkedOn: string;
      note?: string;
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
  /** Default clip deadline, counted from the first create (queueing and cold boots included). */
  deadlineSeconds: number;
  price: PriceModel;
  /** Seconds of billed compute a typical run takes; the estimate of time-billed models is price × this. */
  typicalPredictSeconds: number;
  /** Shortest and longest output, in seconds, over every option the model offers. */
  reachableDurations: { min: number; max: number };
  /** Throws InvalidInput naming the offending field (clip.duration, clip.imageUrl, settings.x). */
  plan(clip: ClipPrompt, settings: GenerationSettings): ModelPlan;
}
