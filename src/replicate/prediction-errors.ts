/**
 * What a failed prediction's `error` string means (DESIGN.md section 5). Pure: workflow code imports this,
 * so it may import nothing but src/domain.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure } from '../domain/failures';
import type { ModelId } from '../domain/types';

// Replicate's infrastructure interruption: "Prediction interrupted; please retry (code: PA)".
const INTERRUPTED = [/\(code:\s*PA\)/i, /\binterrupted\b/i];
// Content filter: "The input or output was flagged as sensitive. (E005)".
const FLAGGED = [/\bE005\b/, /flagged as sensitive/i, /\bsensitive content\b/i];
const MODEL_UNAVAILABLE = [
  /\b(model|version)\b[^.]*\b(unavailable|disabled|not found|does not exist|no longer available|deprecated)\b/i,
  /\b(unavailable|disabled)\b[^.]*\b(model|version)\b/i,
];

export function classifyPredictionError(error: string | null | undefined): FailureType {
  const text = error ?? '';
  if (INTERRUPTED.some((pattern) => pattern.test(text))) return FailureType.Retryable;
  if (FLAGGED.some((pattern) => pattern.test(text))) return FailureType.Generation;
  if (MODEL_UNAVAILABLE.some((pattern) => pattern.test(text))) return FailureType.ModelUnavailable;
  return FailureType.Generation;
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
