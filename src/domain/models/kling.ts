/** kwaivgi/kling-v2.1 (official): animates a required start image into a 5 or 10 s clip at 24 fps. */
import { estimateCostUsd } from '../cost';
import { describeValue } from '../text';
import { chooseDuration, exactSeconds, type DurationOption } from '../duration-planning';
import { FailureType, clipFailure } from '../failures';
import type { ModelPlan, ModelSpec, PlannedInputs, PriceModel } from '../model-spec';
import { definedEntries, negativePrompt, requireImageUrl } from '../plan-inputs';
import { REPLICATE_REFS, replicateModelName } from '../replicate-refs';
import type { ClipPrompt, GenerationSettings } from '../types';
import {
  OFFICIAL_DEADLINE_SECONDS,
  OFFICIAL_START_LIMIT_SECONDS,
  OFFICIAL_TYPICAL_PREDICT_SECONDS,
  OFFICIAL_VIDEO_FPS,
} from './official-video';

type KlingMode = 'standard' | 'pro';

/** Shorter first, so a target half-way between gets the cheaper clip. */
const DURATIONS: DurationOption<number>[] = [5, 10].map((seconds) => ({
  option: seconds,
  seconds: exactSeconds(seconds),
}));

const MODE_BY_RESOLUTION: Record<string, KlingMode> = { '720p': 'standard', '1080p': 'pro' };

/** What `plan` may send (checked against the model's schema by `clipgen doctor`). */
const INPUTS: PlannedInputs = {
  prompt: { type: 'string', sent: 'always' },
  start_image: { type: 'string', sent: 'always', format: 'uri' },
  duration: { type: 'integer', sent: 'always', values: DURATIONS.map(({ option }) => option) },
  mode: { type: 'string', sent: 'always', values: Object.values(MODE_BY_RESOLUTION) },
  negative_prompt: { type: 'string', sent: 'sometimes' },
};

/**
 * Billed per output second by mode. A prediction names its mode by metrics.model_variant or, as real official video
 * predictions do, by metrics.resolution_target (standard renders 720p, pro 1080p).
 */
const PRICE: PriceModel = {
  kind: 'per-output-second',
  metric: 'video_output_duration_seconds',
  variants: {
    standard: {
      usdPerUnit: '0.050000',
      checkedOn: '2026-12-01',
      note: 'Third-party public price tables, 2026-12-01: standard mode (720p). Not confirmed by Replicate.',
    },
    pro: {
      usdPerUnit: '0.090000',
      checkedOn: '2026-12-01',
      note: 'Third-party public price tables, 2026-12-01: pro mode (1080p). Not confirmed by Replicate.',
    },
  },
  reportedAs: {
    model_variant: { standard: 'standard', pro: 'pro' },
    resolution_target: { '720p': 'standard', '1080p': 'pro' },
  },
};

function modeFor(settings: GenerationSettings): KlingMode {
  if (settings.resolution === undefined) return 'standard';
  const mode = MODE_BY_RESOLUTION[settings.resolution];
  if (mode) return mode;
  throw clipFailure(
    FailureType.InvalidInput,
    `settings.resolution must be 720p (standard) or 1080p (pro) for kling-v2.1 (got ${describeValue(settings.resolution)})`,
  );
}

function plan(clip: ClipPrompt, settings: GenerationSettings): ModelPlan {
  const startImage = requireImageUrl(clip, 'kling-v2.1');
  const mode = modeFor(settings);
  const duration = chooseDuration(DURATIONS, clip.duration, { model: 'kling-v2.1' }).option;
  const frames = duration * OFFICIAL_VIDEO_FPS;
  return {
    model: 'kling-v2.1',
    input: definedEntries({
      prompt: clip.prompt,
      start_image: startImage,
      duration,
      mode,
      negative_prompt: negativePrompt(clip),
    }),
    plannedDuration: duration,
    frames,
    fps: OFFICIAL_VIDEO_FPS,
    estimatedCostUsd: estimateCostUsd(PRICE, OFFICIAL_TYPICAL_PREDICT_SECONDS, duration, mode),
    variant: mode,
    summary:
      `${frames} frames at ${OFFICIAL_VIDEO_FPS} fps (${duration} s, ${mode} mode) ` +
      `on ${replicateModelName(REPLICATE_REFS['kling-v2.1'])}`,
  };
}

export const KLING: ModelSpec = {
  id: 'kling-v2.1',
  label: 'Kling 2.1 (image to video)',
  replicate: REPLICATE_REFS['kling-v2.1'],
  kind: 'image-to-video',
  requiresImage: true,
  acceptsImage: true,
  deadlineSeconds: OFFICIAL_DEADLINE_SECONDS,
  startLimitSeconds: OFFICIAL_START_LIMIT_SECONDS,
  price: PRICE,
  typicalPredictSeconds: OFFICIAL_TYPICAL_PREDICT_SECONDS,
  reachableDurations: { min: 5, max: 10 },
  inputs: INPUTS,
  plan,
};
