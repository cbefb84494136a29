/**
 * Reading the clip and settings fields a model planner needs, each checked against that model's own
 * limits (narrower than validation.ts's model-agnostic ones) with a message naming the field.
 */
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import type { ClipPrompt, GenerationSettings, ModelId } from './types';

type NumericSetting = 'fps' | 'seed' | 'motion' | 'condAug' | 'steps' | 'guidance';

export const MAX_SEED = 2 ** 32 - 1;
export const SEED_RANGE = { min: 0, max: MAX_SEED };

export function integerSetting(
  settings: GenerationSettings,
  key: NumericSetting,
  range: { min: number; max: number },
  model: ModelId,
): number | undefined {
  return rangedSetting(settings, key, range, model, 'an integer');
}

export function numberSetting(
  settings: GenerationSettings,
  key: NumericSetting,
  range: { min: number; max: number },
  model: ModelId,
): number | undefined {
  return rangedSetting(settings, key, range, model, 'a number');
}

function rangedSetting(
  settings: GenerationSettings,
  key: NumericSetting,
  range: { min: number; max: number },
  model: ModelId,
  kind: 'an integer' | 'a number',
): number | undefined {
  const value: unknown = settings[key];
  if (value === undefined) return undefined;
  const wellTyped =
    typeof value === 'number' && (kind === 'an integer' ? Number.isInteger(value) : Number.isFinite(value));
  if (!wellTyped || value < range.min || value > range.max) {
    throw clipFailure(
      FailureType.InvalidInput,
      `settings.${key} must be ${kind} from ${range.min} to ${range.max} for ${model} (got ${describeValue(value)})`,
    );
  }
  return value;
}

export function seedSetting(settings: GenerationSettings, model: ModelId): number | undefined {
  return integerSetting(settings, 'seed', SEED_RANGE, model);
}

export function booleanSetting(settings: GenerationSettings, key: 'extendPrompt', model: ModelId): boolean | undefined {
  const value: unknown = settings[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw clipFailure(
    FailureType.InvalidInput,
    `settings.${key} must be true or false for ${model} (got ${describeValue(value)})`,
  );
}

export function requireImageUrl(clip: ClipPrompt, model: ModelId): string {
  if (typeof clip.imageUrl === 'string' && clip.imageUrl !== '') return clip.imageUrl;
  throw clipFailure(
    FailureType.InvalidInput,
    `clip.imageUrl is required by ${model}: it is an image-to-video model that animates a first-frame image`,
  );
}

export function optionalImageUrl(clip: ClipPrompt): string | undefined {
  return typeof clip.imageUrl === 'string' && clip.imageUrl !== '' ? clip.imageUrl : undefined;
}

export function negativePrompt(clip: ClipPrompt): string | undefined {
  return typeof clip.negativePrompt === 'string' && clip.negativePrompt.trim() !== '' ? clip.negativePrompt : undefined;
}

/** Keeps only the entries whose value is defined, so the Replicate input carries no `undefined` keys. */
export function definedEntries(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}
