import type { ModelId } from './types';

/** Every model the catalogue knows, in the order messages list them. */
export const MODEL_IDS: readonly ModelId[] = ['svd', 'cogvideox', 'kling-v2.1', 'hailuo-02'];

export function isModelId(value: unknown): value is ModelId {
  return typeof value === 'string' && (MODEL_IDS as readonly string[]).includes(value);
}
