/** kwaivgi/kling-v2.1 (official): animates a required start image into a 5 or 10 s clip at 24 fps. */
import { estimateCostUsd } from '../cost';
import { describeValue } from '../describe-value';
import { chooseDuration, exactSeconds, type DurationOption } from '../duration-planning';
import { FailureType, clipFailure } from '../failures';
import type { ModelPlan, ModelSpec, PriceModel } from '../model-spec';
import { definedEntries, negativePrompt, requireImageUrl } from '../plan-inputs';
import { REPLICATE_REFS, replicateModelName } from '../replicate-refs';
import type { ClipPrompt, GenerationSettings } from '../types';
import { OFFICIAL_DEADLINE_SECONDS, OFFICIAL_TYPICAL_PREDICT_SECONDS, OFFICIAL_VIDEO_FPS } from './official-video';

type KlingMode = 'standard' | 'pro';

/** Shorter first, so a target half-way between gets the cheaper clip. */
const DURATIONS: DurationOption<number>[] = [5, 10].map((seconds) => ({
  option: seconds,
  seconds: exactSeconds(seconds),
}));

const MODE_BY_RESOLUTION: Record<string, KlingMode> = { '720p': 'standard', '1080p': 'pro' };

const PRICE: PriceModel = {
  kind: 'per-output-second',
  metric: 'video_output_duration_seconds',
  usdPerUnit: '0.050000',
  checkedOn: '2026-11-25',
  note: 'Unconfirmed: standard-mode (720p) figure; pro mode (1080p) costs more. Override it when known.',
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
    estimatedCostUsd: estimateCostUsd(PRICE, OFFICIAL_TYPICAL_PREDICT_SECONDS, duration),
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
  price: PRICE,
  typicalPredictSeconds: OFFICIAL_TYPICAL_PREDICT_SECONDS,
  reachableDurations: { min: 5, max: 10 },
  plan,
};
