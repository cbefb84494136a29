import type { ModelId, PredictionStatus } from './types';

export type ClipPhase =
  | 'planning'
  | 'reserving-budget'
  | 'creating-prediction'
  /** The prediction is `starting`: queued, or (after more than a few seconds) a worker booting. Not billed. */
  | 'waiting-for-start'
  /** The prediction is running (billed), under the clip's deadline. */
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
  /** In `waiting-for-start`: seconds the prediction has been starting, and the most it may (its start limit). */
  starting?: { seconds: number; limitSeconds: number };
}

/** `starting` for longer than this means Replicate is booting a worker for the model, not just queueing. */
export const BOOTING_AFTER_SECONDS = 5;

export function describeProgress(progress: ClipProgress): string {
  const parts: string[] = [progress.phase];
  if (progress.model) parts.push(progress.branch === 'fallback' ? `${progress.model} (fallback)` : progress.model);
  if (progress.predictionStatus) parts.push(progress.predictionStatus);
  if (progress.phase === 'waiting-for-start' && progress.starting) {
    const { seconds, limitSeconds } = progress.starting;
    const state = seconds > BOOTING_AFTER_SECONDS ? 'booting a worker' : 'queued';
    parts.push(`${state} for ${Math.round(seconds)} s of ${limitSeconds} s (not billed)`);
  }
  if (progress.polls > 0) parts.push(`${progress.polls} poll${progress.polls === 1 ? '' : 's'}`);
  parts.push(`${Math.round(progress.elapsedSeconds)} s`);
  if (progress.lastError) parts.push(`last error: ${progress.lastError}`);
  return parts.join(' · ');
}
