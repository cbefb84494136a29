import type { PredictionSnapshot } from '../domain/types';
import type { CreatePredictionInput } from '../activities/contracts';

/**
 * Our thin layer over the `replicate` client. Every method makes at most one HTTP attempt per call
 * (Temporal owns retries) and throws only failures classified by src/replicate/classify-error.ts.
 */
export interface ReplicateGateway {
  /** Finds the prediction an earlier attempt created with this token, else creates one. */
  createPrediction(request: CreatePredictionInput, signal?: AbortSignal): Promise<PredictionSnapshot>;
  getPrediction(model: PredictionSnapshot['model'], id: string, signal?: AbortSignal): Promise<PredictionSnapshot>;
  /** Idempotent: cancelling a finished prediction returns it unchanged. */
  cancelPrediction(model: PredictionSnapshot['model'], id: string, signal?: AbortSignal): Promise<PredictionSnapshot>;
}
