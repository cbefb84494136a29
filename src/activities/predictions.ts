import { Context } from '@temporalio/activity';
import type { ModelId, PredictionSnapshot } from '../domain/types';
import type { ClipgenReplicateGateway } from '../replicate/gateway';
import type { CreatePredictionInput } from './contracts';

/** Replicate's clock and ours may disagree by a little; a prediction stamped slightly "early" is still ours. */
const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

export interface PredictionRef {
  model: ModelId;
  id: string;
}

/**
 * Replicate calls as activities. Each activity attempt makes one HTTP attempt; Temporal's retry policy
 * is the only retry loop. A `failed` prediction is returned, not thrown: the workflow decides what it means.
 */
export function predictionActivities(deps: { replicate: ClipgenReplicateGateway }) {
  return {
    async createPrediction(input: CreatePredictionInput): Promise<PredictionSnapshot> {
      const { info, cancellationSignal } = Context.current();
      // A retry may follow a create whose response was lost: adopt that prediction rather than pay twice.
      // Only predictions made since this activity's first attempt qualify, so a clip never adopts another
      // clip's prediction made earlier with the same input (the server's elapsed time bounds how far back).
      const sinceFirstAttemptMs = info.currentAttemptScheduledTimestampMs - info.scheduledTimestampMs;
      return deps.replicate.createPrediction(input, cancellationSignal, {
        lookupExisting: info.attempt > 1,
        lookupCreatedSinceMs: Date.now() - sinceFirstAttemptMs - CLOCK_SKEW_ALLOWANCE_MS,
      });
    },

    async getPrediction({ model, id }: PredictionRef): Promise<PredictionSnapshot> {
      return deps.replicate.getPrediction(model, id, Context.current().cancellationSignal);
    },

    async cancelPrediction({ model, id }: PredictionRef): Promise<PredictionSnapshot> {
      return deps.replicate.cancelPrediction(model, id, Context.current().cancellationSignal);
    },
  };
}
