/** What a failed prediction's `error` string means (docs/architecture.md (Failures)); the workflow decides by it. */
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure } from './failures';
import type { ModelId } from './types';

// Replicate's infrastructure interruption: "Prediction interrupted; please retry (code: PA)".
const INTERRUPTED = [/\(code:\s*PA\)/i, /\binterrupted\b/i];
// Replicate's own platform (the "director" that runs a prediction) failing, not the model:
// "Director: unexpected error handling prediction (E8765)", also seen as E6716, E9828 and E9243. Public clients
// retry this family as they retry `code: PA`.
const PLATFORM_FAILURE = [/\bDirector: unexpected error handling prediction\b/i, /\((E8765|E6716|E9828|E9243)\)/];
// Content filter: "The input or output was flagged as sensitive. (E005)".
const FLAGGED = [/\bE005\b/, /flagged as sensitive/i, /\bsensitive content\b/i];
const MODEL_UNAVAILABLE = [
  /\b(model|version)\b[^.]*\b(unavailable|disabled|not found|does not exist|no longer available|deprecated)\b/i,
  /\b(unavailable|disabled)\b[^.]*\b(model|version)\b/i,
];

export function classifyPredictionError(error: string | null | undefined): FailureType {
  const text = error ?? '';
  // The content filter's verdict is the model's, whatever else the message says.
  if (FLAGGED.some((pattern) => pattern.test(text))) return FailureType.Generation;
  if (INTERRUPTED.some((pattern) => pattern.test(text))) return FailureType.Retryable;
  if (isPlatformFailure(text)) return FailureType.Retryable;
  if (MODEL_UNAVAILABLE.some((pattern) => pattern.test(text))) return FailureType.ModelUnavailable;
  return FailureType.Generation;
}

/**
 * Whether a text (a prediction's error, or an HTTP error body) reports Replicate's platform failing to handle the
 * prediction (`Director: unexpected error handling prediction (E8765)` and its family): transient, worth a retry.
 */
export function isPlatformFailure(text: string): boolean {
  return PLATFORM_FAILURE.some((pattern) => pattern.test(text));
}

export interface PredictionContext {
  predictionId?: string;
  model?: ModelId;
}

/** The failure to throw for a prediction that ended in `failed`, typed by its error message. */
export function classifyPredictionFailure(
  error: string | null | undefined,
  context: PredictionContext = {},
): ApplicationFailure {
  const subject = [
    context.predictionId ? `Prediction ${context.predictionId}` : 'Prediction',
    context.model ? `on ${context.model}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const reason = error?.trim() || 'Replicate gave no reason';
  return clipFailure(classifyPredictionError(error), `${subject} failed: ${reason}`);
}
