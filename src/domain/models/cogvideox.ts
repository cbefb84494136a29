/**
 * cuuupid/cogvideox-5b: text to video, always 49 frames at 8 fps (both hard-coded in its predictor).
 * It takes no image; given one (e.g. as the fallback of an image clip) it follows the prompt alone.
 */
import { estimateCostUsd } from '../cost';
import { chooseDuration, exactSeconds, formatSeconds, secondsToNumber } from '../duration-planning';
import type { ModelPlan, ModelSpec, PlannedInputs, PriceModel } from '../model-spec';
import {
  SEED_RANGE,
  booleanSetting,
  definedEntries,
  integerSetting,
  numberSetting,
  optionalImageUrl,
  seedSetting,
} from '../plan-inputs';
import { REPLICATE_REFS, replicateModelName } from '../replicate-refs';
import type { ClipPrompt, GenerationSettings } from '../types';

const FRAMES = 49;
const FPS = 8;

const PRICE: PriceModel = {
  kind: 'hardware-time',
  hardware: 'gpu-a100-large',
  usdPerSecond: '0.001400',
  checkedOn: '2026-11-25',
  note: "Unconfirmed: the model's hardware is not documented; its README times it on an A100.",
};

/** The model README's figure for an A100. */
const TYPICAL_PREDICT_SECONDS = 180;

const STEPS_RANGE = { min: 1, max: 120 };
const GUIDANCE_RANGE = { min: 0, max: 12 };

/** What `plan` may send (checked against the model's schema by `clipgen doctor`). */
const INPUTS: PlannedInputs = {
  prompt: { type: 'string', sent: 'always' },
  steps: { type: 'integer', sent: 'sometimes', range: STEPS_RANGE },
  guidance: { type: 'number', sent: 'sometimes', range: GUIDANCE_RANGE },
  seed: { type: 'integer', sent: 'sometimes', range: SEED_RANGE },
  extend_prompt: { type: 'boolean', sent: 'sometimes' },
};

function plan(clip: ClipPrompt, settings: GenerationSettings): ModelPlan {
  const steps = integerSetting(settings, 'steps', STEPS_RANGE, 'cogvideox');
  const guidance = numberSetting(settings, 'guidance', GUIDANCE_RANGE, 'cogvideox');
  const seed = seedSetting(settings, 'cogvideox');
  const extendPrompt = booleanSetting(settings, 'extendPrompt', 'cogvideox');
  const seconds = exactSeconds(FRAMES, FPS);
  chooseDuration([{ option: FRAMES, seconds }], clip.duration, { model: 'cogvideox' });
  const plannedDuration = secondsToNumber(seconds);
  const imageNote = optionalImageUrl(clip) ? ', text only: the first-frame image is not used' : '';
  return {
    model: 'cogvideox',
    input: definedEntries({ prompt: clip.prompt, steps, guidance, seed, extend_prompt: extendPrompt }),
    plannedDuration,
    frames: FRAMES,
    fps: FPS,
    estimatedCostUsd: estimateCostUsd(PRICE, TYPICAL_PREDICT_SECONDS, plannedDuration),
    variant: null,
    summary:
      `${FRAMES} frames at ${FPS} fps (${formatSeconds(seconds)} s) ` +
      `on ${replicateModelName(REPLICATE_REFS.cogvideox)}${imageNote}`,
  };
}

export const COGVIDEOX: ModelSpec = {
  id: 'cogvideox',
  label: 'CogVideoX 5B (text to video)',
  replicate: REPLICATE_REFS.cogvideox,
  kind: 'text-to-video',
  requiresImage: false,
  acceptsImage: false,
  // A run takes about 180 s on an A100 (model README), already past the seed's 120 s; the rest leaves
  // room for queueing and a cold boot of this community model.
  deadlineSeconds: 300,
  // A community model: Replicate boots a worker on demand, which can take minutes.
  startLimitSeconds: 600,
  price: PRICE,
  typicalPredictSeconds: TYPICAL_PREDICT_SECONDS,
  reachableDurations: { min: FRAMES / FPS, max: FRAMES / FPS },
  inputs: INPUTS,
  plan,
};
