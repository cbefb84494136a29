/**
 * minimax/hailuo-02 (official): text or first-frame image to a 6 or 10 s clip at 24 fps.
 * 10 s exists only at 768p, so a 10 s plan asks for 768p unless the caller chose a resolution.
 */
import { estimateCostUsd } from '../cost';
import { describeValue } from '../describe-value';
import { chooseDuration, exactSeconds, type DurationOption } from '../duration-planning';
import { FailureType, clipFailure } from '../failures';
import type { ModelPlan, ModelSpec, PriceModel } from '../model-spec';
import { booleanSetting, definedEntries, optionalImageUrl } from '../plan-inputs';
import { REPLICATE_REFS, replicateModelName } from '../replicate-refs';
import type { ClipPrompt, GenerationSettings } from '../types';
import { OFFICIAL_DEADLINE_SECONDS, OFFICIAL_TYPICAL_PREDICT_SECONDS, OFFICIAL_VIDEO_FPS } from './official-video';

type HailuoResolution = '512p' | '768p' | '1080p';

const RESOLUTIONS: readonly HailuoResolution[] = ['512p', '768p', '1080p'];
const DEFAULT_RESOLUTION: HailuoResolution = '1080p';
const LONG_RESOLUTION: HailuoResolution = '768p';

const PRICE: PriceModel = {
  kind: 'per-output-second',
  metric: 'video_output_duration_seconds',
  usdPerUnit: '0.080000',
  checkedOn: '2026-11-25',
  note: 'Unconfirmed: 1080p figure, the highest tier; 768p and 512p cost less. Override it when known.',
};

interface HailuoOption {
  duration: number;
  resolution: HailuoResolution;
}

function option(duration: number, resolution: HailuoResolution): DurationOption<HailuoOption> {
  return { option: { duration, resolution }, seconds: exactSeconds(duration) };
}

function resolutionSetting(settings: GenerationSettings): HailuoResolution | undefined {
  const value = settings.resolution;
  if (value === undefined || (RESOLUTIONS as readonly string[]).includes(value)) {
    return value as HailuoResolution | undefined;
  }
  throw clipFailure(
    FailureType.InvalidInput,
    `settings.resolution must be one of ${RESOLUTIONS.join(', ')} for hailuo-02 (got ${describeValue(value)})`,
  );
}

/** Shorter first, so a target half-way between gets the cheaper clip. */
function durationOptions(resolution: HailuoResolution | undefined): DurationOption<HailuoOption>[] {
  if (resolution === undefined) return [option(6, DEFAULT_RESOLUTION), option(10, LONG_RESOLUTION)];
  return resolution === LONG_RESOLUTION ? [option(6, resolution), option(10, resolution)] : [option(6, resolution)];
}

function plan(clip: ClipPrompt, settings: GenerationSettings): ModelPlan {
  const chosenResolution = resolutionSetting(settings);
  const promptOptimizer = booleanSetting(settings, 'extendPrompt', 'hailuo-02');
  const { duration, resolution } = chooseDuration(durationOptions(chosenResolution), clip.duration, {
    model: 'hailuo-02',
    qualifier: chosenResolution === undefined ? undefined : `at ${chosenResolution}`,
  }).option;
  const frames = duration * OFFICIAL_VIDEO_FPS;
  return {
    model: 'hailuo-02',
    input: definedEntries({
      prompt: clip.prompt,
      first_frame_image: optionalImageUrl(clip),
      duration,
      resolution,
      prompt_optimizer: promptOptimizer,
    }),
    plannedDuration: duration,
    frames,
    fps: OFFICIAL_VIDEO_FPS,
    estimatedCostUsd: estimateCostUsd(PRICE, OFFICIAL_TYPICAL_PREDICT_SECONDS, duration),
    summary:
      `${frames} frames at ${OFFICIAL_VIDEO_FPS} fps (${duration} s, ${resolution}) ` +
      `on ${replicateModelName(REPLICATE_REFS['hailuo-02'])}`,
  };
}

export const HAILUO: ModelSpec = {
  id: 'hailuo-02',
  label: 'Hailuo-02 (text or image to video)',
  replicate: REPLICATE_REFS['hailuo-02'],
  kind: 'text-or-image-to-video',
  requiresImage: false,
  acceptsImage: true,
  deadlineSeconds: OFFICIAL_DEADLINE_SECONDS,
  price: PRICE,
  typicalPredictSeconds: OFFICIAL_TYPICAL_PREDICT_SECONDS,
  reachableDurations: { min: 6, max: 10 },
  plan,
};
