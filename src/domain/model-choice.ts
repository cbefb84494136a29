/** Which model runs a clip first, and which one takes over when it is unavailable. */
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import { MODEL_IDS, isModelId, type GenerateClipInput, type ModelId } from './types';
import { hailuoRequiresImage } from './models/hailuo';

export interface ModelPair {
  primary: ModelId;
  fallback: ModelId | null;
}

/**
 * Explicit `input.models` wins. Otherwise SVD first and CogVideoX as its fallback, as the mission asks,
 * when there is a first-frame image; SVD cannot run without one, so a text-only clip starts on CogVideoX
 * and falls back to Hailuo-02, unless its settings ask for a resolution Hailuo-02 renders only from a first frame
 * (512p): then it has no fallback. CogVideoX ignores the image when it stands in for SVD.
 */
export function chooseModels(input: GenerateClipInput): ModelPair {
  if (input.models) {
    const primary = requireModelId(input.models.primary, 'models.primary');
    const fallback = input.models.fallback == null ? null : requireModelId(input.models.fallback, 'models.fallback');
    if (fallback === primary) {
      throw clipFailure(
        FailureType.InvalidInput,
        `models.fallback must differ from models.primary (both are ${primary}); use null for no fallback`,
      );
    }
    return { primary, fallback };
  }
  if (input.clip.imageUrl) return { primary: 'svd', fallback: 'cogvideox' };
  return { primary: 'cogvideox', fallback: hailuoRequiresImage(input.settings) ? null : 'hailuo-02' };
}

export function requireModelId(value: unknown, field: string): ModelId {
  if (isModelId(value)) return value;
  throw clipFailure(
    FailureType.InvalidInput,
    `${field} must be one of ${MODEL_IDS.join(', ')} (got ${describeValue(value)})`,
  );
}
