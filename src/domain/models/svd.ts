/**
 * stability-ai/stable-video-diffusion (replicate/cog-svd): animates a first-frame image.
 * Its ffmpeg step encodes at frames_per_second + 1, so a clip lasts frames / (frames_per_second + 1).
 */
import { estimateCostUsd } from '../cost';
import {
  chooseDuration,
  exactSeconds,
  formatSeconds,
  secondsToNumber,
  type DurationOption,
} from '../duration-planning';
import type { ModelPlan, ModelSpec, PlannedInputs, PriceModel } from '../model-spec';
import {
  SEED_RANGE,
  definedEntries,
  integerSetting,
  numberSetting,
  requireImageUrl,
  seedSetting,
} from '../plan-inputs';
import { REPLICATE_REFS, replicateModelName } from '../replicate-refs';
import type { ClipPrompt, GenerationSettings } from '../types';

interface SvdOption {
  frames: number;
  videoLength: '14_frames_with_svd' | '25_frames_with_svd_xt';
  framesPerSecond: number;
}

const FPS_RANGE = { min: 5, max: 30 };
const MOTION_RANGE = { min: 1, max: 255 };
const COND_AUG_RANGE = { min: 0, max: 1 };
const SIZING_STRATEGIES = ['maintain_aspect_ratio', 'crop_to_16_9'] as const;
const VIDEO_LENGTHS = [
  { frames: 14, videoLength: '14_frames_with_svd' },
  { frames: 25, videoLength: '25_frames_with_svd_xt' },
] as const;

const PRICE: PriceModel = {
  kind: 'hardware-time',
  hardware: 'gpu-a100-large',
  usdPerSecond: '0.001400',
  checkedOn: '2026-11-25',
  note: "Unconfirmed: Replicate does not document SVD's hardware; A100 (80 GB) is assumed.",
};

/** Unconfirmed guess, on the high side so that budget checks err towards caution. */
const TYPICAL_PREDICT_SECONDS = 60;

/** What `plan` may send (checked against the model's schema by `clipgen doctor`). */
const INPUTS: PlannedInputs = {
  input_image: { type: 'string', sent: 'always', format: 'uri' },
  video_length: { type: 'string', sent: 'always', values: VIDEO_LENGTHS.map(({ videoLength }) => videoLength) },
  frames_per_second: { type: 'integer', sent: 'always', range: FPS_RANGE },
  sizing_strategy: { type: 'string', sent: 'always', values: SIZING_STRATEGIES },
  motion_bucket_id: { type: 'integer', sent: 'sometimes', range: MOTION_RANGE },
  cond_aug: { type: 'number', sent: 'sometimes', range: COND_AUG_RANGE },
  seed: { type: 'integer', sent: 'sometimes', range: SEED_RANGE },
};

/** Every (frames, frames_per_second) pair, fewer frames first, then lower fps: ties go to the cheaper run. */
function durationOptions(fixedFps: number | undefined): DurationOption<SvdOption>[] {
  const rates: number[] = [];
  for (let fps = fixedFps ?? FPS_RANGE.min; fps <= (fixedFps ?? FPS_RANGE.max); fps += 1) rates.push(fps);
  return VIDEO_LENGTHS.flatMap(({ frames, videoLength }) =>
    rates.map((framesPerSecond) => ({
      option: { frames, videoLength, framesPerSecond },
      seconds: exactSeconds(frames, framesPerSecond + 1),
    })),
  );
}

function sizingStrategy(settings: GenerationSettings): (typeof SIZING_STRATEGIES)[number] {
  // SVD keeps the image's own ratio unless asked to crop to 16:9; other ratios come from the image itself.
  return settings.aspectRatio === '16:9' ? 'crop_to_16_9' : 'maintain_aspect_ratio';
}

function plan(clip: ClipPrompt, settings: GenerationSettings): ModelPlan {
  const inputImage = requireImageUrl(clip, 'svd');
  const fixedFps = integerSetting(settings, 'fps', FPS_RANGE, 'svd');
  const motion = integerSetting(settings, 'motion', MOTION_RANGE, 'svd');
  const condAug = numberSetting(settings, 'condAug', COND_AUG_RANGE, 'svd');
  const seed = seedSetting(settings, 'svd');
  const chosen = chooseDuration(durationOptions(fixedFps), clip.duration, {
    model: 'svd',
    qualifier: fixedFps === undefined ? undefined : `at frames_per_second ${fixedFps}`,
  });
  const { frames, videoLength, framesPerSecond } = chosen.option;
  const encodedFps = framesPerSecond + 1;
  const plannedDuration = secondsToNumber(chosen.seconds);
  return {
    model: 'svd',
    input: definedEntries({
      input_image: inputImage,
      video_length: videoLength,
      frames_per_second: framesPerSecond,
      sizing_strategy: sizingStrategy(settings),
      motion_bucket_id: motion,
      cond_aug: condAug,
      seed,
    }),
    plannedDuration,
    frames,
    fps: encodedFps,
    estimatedCostUsd: estimateCostUsd(PRICE, TYPICAL_PREDICT_SECONDS, plannedDuration),
    variant: null,
    summary:
      `${frames} frames at ${encodedFps} fps (${formatSeconds(chosen.seconds)} s) ` +
      `on ${replicateModelName(REPLICATE_REFS.svd)}`,
  };
}

export const SVD: ModelSpec = {
  id: 'svd',
  label: 'Stable Video Diffusion (image to video)',
  replicate: REPLICATE_REFS.svd,
  kind: 'image-to-video',
  requiresImage: true,
  acceptsImage: true,
  deadlineSeconds: 120,
  // A community model: Replicate boots a worker on demand, which can take minutes.
  startLimitSeconds: 600,
  price: PRICE,
  typicalPredictSeconds: TYPICAL_PREDICT_SECONDS,
  reachableDurations: { min: 14 / 31, max: 25 / 6 },
  inputs: INPUTS,
  plan,
};
