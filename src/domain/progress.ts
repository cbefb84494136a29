import type { ModelId, PredictionStatus } from './types';

export type ClipPhase =
  | 'planning'
  | 'checking-budget'
  | 'creating-prediction'
  | 'waiting-for-prediction'
  | 'cancelling-prediction'
  /** Fetching the output once, probing those bytes and uploading them. */
  | 'storing'
  | 'recording-cost'
  /** The clip is made; it waits for the sweep that cancels strays of a retried create (rare). */
  | 'sweeping-strays'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** What the `progress` query returns: enough for an operator or a CLI progress line. */
export interface ClipProgress {
  phase: ClipPhase;
  branch: 'primary' | 'fallback';
  model: ModelId | null;
  predictionId: string | null;
  predictionStatus: PredictionStatus | null;
  /** getPrediction calls so far, over all branches. */
  polls: number;
  /** Seconds of workflow time since the workflow started. */
  elapsedSeconds: number;
  fallbackUsed: boolean;
  plannedDuration: number | null;
  lastError: string | null;
}

export function describeProgress(progress: ClipProgress): string {
  const parts: string[] = [progress.phase];
  if (progress.model) parts.push(progress.branch === 'fallback' ? `${progress.model} (fallback)` : progress.model);
  if (progress.predictionStatus) parts.push(progress.predictionStatus);
  if (progress.polls > 0) parts.push(`${progress.polls} poll${progress.polls === 1 ? '' : 's'}`);
  parts.push(`${Math.round(progress.elapsedSeconds)} s`);
  if (progress.lastError) parts.push(`last error: ${progress.lastError}`);
  return parts.join(' · ');
}
