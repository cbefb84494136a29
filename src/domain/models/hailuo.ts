/**
 * minimax/hailuo-02 (official): text or first-frame image to a 6 or 10 s clip at 24 fps.
 * 10 s exists only at 768p, so a 10 s plan asks for 768p unless the caller chose a resolution.
 */
import { estimateCostUsd } from '../cost';
import { describeValue } from '../text';
import { chooseDuration, exactSeconds, type DurationOption } from '../duration-planning';
import { FailureType, clipFailure } from '../failures';
import type { ModelPlan, ModelSpec, PlannedInputs, PriceModel } from '../model-spec';
import { booleanSetting, definedEntries, optionalImageUrl } from '../plan-inputs';
import { REPLICATE_REFS, replicateModelName } from '../replicate-refs';
import type { ClipPrompt, GenerationSettings } from '../types';
import {
  OFFICIAL_DEADLINE_SECONDS,
  OFFICIAL_START_LIMIT_SECONDS,
  OFFICIAL_TYPICAL_PREDICT_SECONDS,
  OFFICIAL_VIDEO_FPS,
} from './official-video';

type HailuoResolution = '512p' | '768p' | '1080p';

const RESOLUTIONS: readonly HailuoResolution[] = ['512p', '768p', '1080p'];
const DEFAULT_RESOLUTION: HailuoResolution = '1080p';
const LONG_RESOLUTION: HailuoResolution = '768p';
const DURATIONS = [6, 10];

/** What `plan` may send (checked against the model's schema by `clipgen doctor`). */
const INPUTS: PlannedInputs = {
  prompt: { type: 'string', sent: 'always' },
  first_frame_image: { type: 'string', sent: 'sometimes', format: 'uri' },
  duration: { type: 'integer', sent: 'always', values: DURATIONS },
  resolution: { type: 'string', sent: 'always', values: RESOLUTIONS },
  prompt_optimizer: { type: 'boolean', sent: 'sometimes' },
};

/** Public price tables order the resolutions 512p < 768p < 1080p; only the 1080p figure is at hand (docs/catalogue.md). */
const PLACEHOLDER_NOTE =
  'Unconfirmed placeholder: no public figure at hand, set with CLIPGEN_PRICE_OVERRIDES. Below the next resolution, ' +
  'as public tables order them, and high, so that budgets stay bounds.';

/** Billed per output second at the resolution reported as metrics.resolution_target. */
const PRICE: PriceModel = {
  kind: 'per-output-second',
  metric: 'video_output_duration_seconds',
  variants: {
    '512p': { usdPerUnit: '0.060000', checkedOn: '2026-12-01', note: PLACEHOLDER_NOTE },
    '768p': { usdPerUnit: '0.070000', checkedOn: '2026-12-01', note: PLACEHOLDER_NOTE },
    '1080p': {
      usdPerUnit: '0.080000',
      checkedOn: '2026-11-25',
      note: "Unconfirmed: the catalogue's earlier single price, the 1080p figure (the dearest resolution).",
    },
  },
  reportedAs: { resolution_target: { '512p': '512p', '768p': '768p', '1080p': '1080p' } },
};

/**
 * Resolutions that need a first frame. Some of MiniMax's documentation makes 512p image to video only and some does
 * not; until a real run settles it, a text-only clip is not planned at 512p (nor given Hailuo-02 as its fallback).
 */
const IMAGE_ONLY_RESOLUTIONS: readonly string[] = ['512p'];

/** Whether these settings make Hailuo-02 need clip.imageUrl (model-choice keeps it from text-only fallbacks). */
export function hailuoRequiresImage(settings: GenerationSettings | undefined): boolean {
  return settings?.resolution !== undefined && IMAGE_ONLY_RESOLUTIONS.includes(settings.resolution);
}

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
  const firstFrame = optionalImageUrl(clip);
  if (firstFrame === undefined && hailuoRequiresImage(settings)) {
    throw clipFailure(
      FailureType.InvalidInput,
      `clip.imageUrl is required by hailuo-02 at settings.resolution ${chosenResolution} (image to video only, ` +
        "as some of MiniMax's documentation says); without a first frame choose 768p or 1080p",
    );
  }
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
      first_frame_image: firstFrame,
      duration,
      resolution,
      prompt_optimizer: promptOptimizer,
    }),
    plannedDuration: duration,
    frames,
    fps: OFFICIAL_VIDEO_FPS,
    estimatedCostUsd: estimateCostUsd(PRICE, OFFICIAL_TYPICAL_PREDICT_SECONDS, duration, resolution),
    variant: resolution,
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
  startLimitSeconds: OFFICIAL_START_LIMIT_SECONDS,
  price: PRICE,
  typicalPredictSeconds: OFFICIAL_TYPICAL_PREDICT_SECONDS,
  reachableDurations: { min: 6, max: 10 },
  inputs: INPUTS,
  plan,
};
