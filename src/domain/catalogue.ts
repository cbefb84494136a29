/**
 * The model catalogue: what each Replicate video model is asked for, how long its output really is,
 * and what it costs. Pure and deterministic, so workflows plan with it directly.
 */
import {
  catalogueUnitPrice,
  checkUnitPrice,
  costFromPrediction,
  dearest,
  estimateAtUsd,
  isVariantOf,
  reportedVariant,
  requireVariant,
  variantsOf,
  type ClipCost,
  type UnitPrice,
} from './cost';
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import {
  MODEL_IDS,
  isModelId,
  type ClipPrompt,
  type GenerationSettings,
  type ModelId,
  type PredictionSnapshot,
} from './types';
import type { ModelPlan, ModelSpec } from './model-spec';
import { COGVIDEOX } from './models/cogvideox';
import { HAILUO } from './models/hailuo';
import { KLING } from './models/kling';
import { SVD } from './models/svd';

export { DURATION_TOLERANCE_SECONDS } from './model-spec';
export type { ModelPlan, ModelSpec, PlannedInput, PlannedInputs, PriceModel } from './model-spec';
export type { ClipCost, UnitPrice } from './cost';
export { MODEL_IDS, isModelId } from './types';
export { chooseModels, type ModelPair } from './model-choice';

/** The override key of one billing variant, e.g. 'kling-v2.1:pro'. */
export type VariantOverrideKey = `${ModelId}:${string}`;

/**
 * Unit prices (USD per second of hardware or of output) replacing the catalogue's: by model id for every variant of
 * the model (or its single price), or by `model:variant` for one variant, which wins over the model's.
 */
export type PriceOverrides = Partial<Record<ModelId | VariantOverrideKey, string>>;

export const CATALOGUE: Record<ModelId, ModelSpec> = {
  svd: SVD,
  cogvideox: COGVIDEOX,
  'kling-v2.1': KLING,
  'hailuo-02': HAILUO,
};

export function getModelSpec(id: string): ModelSpec {
  if (isModelId(id)) return CATALOGUE[id];
  throw clipFailure(
    FailureType.InvalidInput,
    `unknown model ${describeValue(id)}; known models: ${MODEL_IDS.join(', ')}`,
  );
}

/**
 * The model's input, real duration, billing variant and estimate for this clip; the estimate is at the variant's
 * price in effect (an override's when there is one).
 */
export function planClip(
  model: ModelId,
  clip: ClipPrompt,
  settings: GenerationSettings = {},
  priceOverrides: PriceOverrides = {},
): ModelPlan {
  const spec = getModelSpec(model);
  const plan = spec.plan(clip, settings);
  const price = effectiveUnitPrice(spec, plan.variant, priceOverrides);
  return { ...plan, estimatedCostUsd: estimateAtUsd(price, spec.typicalPredictSeconds, plan.plannedDuration) };
}

/**
 * The amount to book for a finished prediction: unit price × predict_time (time-billed models) or
 * × video_output_duration_seconds (per-output models); the estimate when that metric is missing. The unit price is
 * the variant's the prediction's metrics report, else the planned variant's, else (neither known) the dearest's.
 */
export function actualClipCost(
  model: ModelId,
  prediction: PredictionSnapshot,
  estimateUsd: string,
  priceOverrides: PriceOverrides = {},
  plannedVariant: string | null = null,
): ClipCost {
  const spec = getModelSpec(model);
  const variant = bookedVariant(spec, prediction, plannedVariant);
  return costFromPrediction(effectiveUnitPrice(spec, variant, priceOverrides), prediction, estimateUsd);
}

/**
 * The variant a booking is priced as: the one the prediction's metrics report, else the planned one. A planned
 * variant the catalogue no longer prices (a plan from before a catalogue change) counts as unknown.
 */
export function bookedVariant(
  spec: ModelSpec,
  prediction: PredictionSnapshot,
  plannedVariant: string | null,
): string | null {
  const reported = reportedVariant(spec.price, prediction);
  if (reported !== null) return reported;
  return isVariantOf(spec.price, plannedVariant) ? plannedVariant : null;
}

/**
 * The unit price in effect for one variant of the model (null: its single price; for a variant-priced model, its
 * dearest variant, so that a bound stays a bound): an override of `model:variant`, else of `model`, else the
 * catalogue's. Throws InvalidInput for a variant the model is not priced by, or a malformed override.
 */
export function effectiveUnitPrice(
  spec: ModelSpec,
  variant: string | null,
  priceOverrides: PriceOverrides,
  field = 'variant',
): UnitPrice {
  requireVariant(spec.id, spec.price, variant, field);
  if (variant === null && variantsOf(spec.price).length > 0) {
    return dearest(variantsOf(spec.price).map((each) => effectiveUnitPrice(spec, each, priceOverrides)));
  }
  const catalogue = catalogueUnitPrice(spec.price, variant);
  const key = variant === null ? spec.id : (`${spec.id}:${variant}` as const);
  const overrideKey = priceOverrides[key] !== undefined ? key : spec.id;
  const override: unknown = priceOverrides[overrideKey];
  if (override === undefined) return catalogue;
  return {
    ...catalogue,
    unitPriceUsd: checkUnitPrice(override, `priceOverrides.${overrideKey}`),
    priceSource: 'override',
  };
}

/**
 * InvalidInput naming the first override whose key is not a model, or not a billing variant of its model (the
 * message lists the model's variants), or whose price is malformed.
 */
export function checkPriceOverrides(priceOverrides: PriceOverrides): void {
  for (const [key, price] of Object.entries(priceOverrides)) {
    if (price === undefined) continue;
    const [model, ...variant] = key.split(':');
    if (!isModelId(model)) {
      throw clipFailure(
        FailureType.InvalidInput,
        `priceOverrides.${key}: unknown model ${describeValue(model)}; known models: ${MODEL_IDS.join(', ')}`,
      );
    }
    if (variant.length > 0) requireVariant(model, CATALOGUE[model].price, variant.join(':'), `priceOverrides.${key}`);
    checkUnitPrice(price, `priceOverrides.${key}`);
  }
}
