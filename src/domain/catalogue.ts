/**
 * The model catalogue: what each Replicate video model is asked for, how long its output really is,
 * and what it costs. Pure and deterministic, so workflows plan with it directly.
 */
import { checkUnitPrice, costFromPrediction, estimateCostUsd, withUnitPrice, type ClipCost } from './cost';
import { describeValue } from './describe-value';
import { FailureType, clipFailure } from './failures';
import { MODEL_IDS, isModelId } from './model-ids';
import type { ModelPlan, ModelSpec, PriceModel } from './model-spec';
import { COGVIDEOX } from './models/cogvideox';
import { HAILUO } from './models/hailuo';
import { KLING } from './models/kling';
import { SVD } from './models/svd';
import type { ClipPrompt, GenerationSettings, ModelId, PredictionSnapshot } from './types';

export { DURATION_TOLERANCE_SECONDS } from './model-spec';
export type { ModelPlan, ModelSpec, PriceModel } from './model-spec';
export type { ClipCost } from './cost';
export { MODEL_IDS, isModelId } from './model-ids';
export { chooseModels, type ModelPair } from './model-choice';

/** Unit prices (USD per second of hardware or of output) replacing the catalogue's, per model. */
export type PriceOverrides = Partial<Record<ModelId, string>>;

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

/** The model's input, real duration and estimate for this clip; with an override, the estimate uses it. */
export function planClip(
  model: ModelId,
  clip: ClipPrompt,
  settings: GenerationSettings = {},
  priceOverrides: PriceOverrides = {},
): ModelPlan {
  const spec = getModelSpec(model);
  const plan = spec.plan(clip, settings);
  if (priceOverrides[spec.id] === undefined) return plan;
  const price = effectivePrice(spec, priceOverrides);
  return { ...plan, estimatedCostUsd: estimateCostUsd(price, spec.typicalPredictSeconds, plan.plannedDuration) };
}

/**
 * The amount to book for a finished prediction: unit price × predict_time (time-billed models) or
 * × video_output_duration_seconds (per-output models); the estimate when that metric is missing.
 */
export function actualClipCost(
  model: ModelId,
  prediction: PredictionSnapshot,
  estimateUsd: string,
  priceOverrides: PriceOverrides = {},
): ClipCost {
  const spec = getModelSpec(model);
  return costFromPrediction(effectivePrice(spec, priceOverrides), prediction, estimateUsd);
}

export function effectivePrice(spec: ModelSpec, priceOverrides: PriceOverrides): PriceModel {
  const override: unknown = priceOverrides[spec.id];
  if (override === undefined) return spec.price;
  return withUnitPrice(spec.price, checkUnitPrice(override, `priceOverrides.${spec.id}`));
}
