/**
 * validateGenerateClipInput: the first step of every clip. Bad input fails here, with a message that
 * starts with the field's path, before anything is created or billed.
 */
import { describeValue } from './text';
import {
  invalid,
  isAbsent,
  rejectUnknownKeys,
  requireDuration,
  requireInteger,
  requireOneOf,
  requirePlainObject,
  requireText,
} from './field-checks';
import { requireImageUrl } from './image-url';
import { canonicalJobId, isJobId } from './clip-identity';
import { requireModelId } from './model-choice';
import { validateSettings } from './settings-validation';
import type { ClipPrompt, GenerateClipInput, ModelChoice } from './types';

export const MAX_CLIP_INDEX = 100_000;
export const MAX_PROMPT_CHARACTERS = 2000;
export const MAX_CLIP_DURATION_SECONDS = 600;

const ENVIRONMENTS = ['production', 'development'] as const;
const INPUT_KEYS = ['jobId', 'clip', 'models', 'settings', 'environment', 'pollInterval', 'deadline', 'startLimit'];
const CLIP_KEYS = ['clipIndex', 'prompt', 'negativePrompt', 'duration', 'imageUrl'];
const MODEL_CHOICE_KEYS = ['primary', 'fallback'];

const SECOND = 1000;
const HOUR = 3600 * SECOND;

/**
 * The input, checked and normalised: the job id in its canonical (lowercase) form, so that the storage path, ledger
 * key and search attributes derived from it name one job; prompts trimmed; null and blank optional fields dropped.
 */
export function validateGenerateClipInput(input: unknown): GenerateClipInput {
  const raw = requirePlainObject(input, 'input');
  rejectUnknownKeys(raw, INPUT_KEYS, '');
  const validated: GenerateClipInput = { jobId: validateJobId(raw.jobId), clip: validateClip(raw.clip) };
  if (!isAbsent(raw.models)) validated.models = validateModelChoice(raw.models);
  if (!isAbsent(raw.settings)) validated.settings = validateSettings(raw.settings);
  if (!isAbsent(raw.environment)) validated.environment = requireOneOf(raw.environment, 'environment', ENVIRONMENTS);
  if (!isAbsent(raw.pollInterval)) {
    validated.pollInterval = requireDuration(raw.pollInterval, 'pollInterval', {
      minMs: 100,
      maxMs: HOUR,
      describeMin: '100 ms',
      describeMax: '1 hour',
    });
  }
  if (!isAbsent(raw.deadline)) {
    validated.deadline = requireDuration(raw.deadline, 'deadline', {
      minMs: SECOND,
      maxMs: 24 * HOUR,
      describeMin: '1 second',
      describeMax: '24 hours',
    });
  }
  if (!isAbsent(raw.startLimit)) {
    validated.startLimit = requireDuration(raw.startLimit, 'startLimit', {
      minMs: SECOND,
      maxMs: 6 * HOUR,
      describeMin: '1 second',
      describeMax: '6 hours',
    });
  }
  return validated;
}

function validateJobId(value: unknown): string {
  if (isJobId(value)) return canonicalJobId(value);
  return invalid(`jobId must be a UUID such as 123e4567-e89b-12d3-a456-426614174000 (got ${describeValue(value)})`);
}

function validateClip(value: unknown): ClipPrompt {
  const raw = requirePlainObject(value, 'clip');
  rejectUnknownKeys(raw, CLIP_KEYS, 'clip.');
  const clip: ClipPrompt = {
    clipIndex: requireInteger(raw.clipIndex, 'clip.clipIndex', 0, MAX_CLIP_INDEX),
    prompt: requireText(raw.prompt, 'clip.prompt', MAX_PROMPT_CHARACTERS),
    duration: validateDuration(raw.duration),
  };
  // A blank negative prompt means "none", as form fields and other languages' defaults send it.
  const blankNegative = typeof raw.negativePrompt === 'string' && raw.negativePrompt.trim() === '';
  if (!isAbsent(raw.negativePrompt) && !blankNegative) {
    clip.negativePrompt = requireText(raw.negativePrompt, 'clip.negativePrompt', MAX_PROMPT_CHARACTERS);
  }
  if (!isAbsent(raw.imageUrl)) clip.imageUrl = requireImageUrl(raw.imageUrl, 'clip.imageUrl');
  return clip;
}

function validateDuration(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return invalid(`clip.duration must be a finite number of seconds greater than 0 (got ${describeValue(value)})`);
  }
  if (value > MAX_CLIP_DURATION_SECONDS) {
    return invalid(`clip.duration must be at most ${MAX_CLIP_DURATION_SECONDS} seconds (got ${value})`);
  }
  return value;
}

function validateModelChoice(value: unknown): ModelChoice {
  const raw = requirePlainObject(value, 'models');
  rejectUnknownKeys(raw, MODEL_CHOICE_KEYS, 'models.');
  const primary = requireModelId(raw.primary, 'models.primary');
  if (isAbsent(raw.fallback)) return { primary, fallback: null };
  const fallback = requireModelId(raw.fallback, 'models.fallback');
  if (fallback === primary) {
    invalid(`models.fallback must differ from models.primary (both are ${primary}); use null for no fallback`);
  }
  return { primary, fallback };
}
