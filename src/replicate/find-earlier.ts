import type { CreatePredictionInput } from '../activities/contracts';
import type { ReplicateRef } from '../domain/replicate-refs';
import type { ReplicateCaller } from './caller';
import { findEarlierAttempt, type EarlierAttemptQuery } from './idempotency';
import { predictionPages } from './prediction-pages';
import type { ReplicatePredictionJson } from './snapshot';

export interface EarlierPredictionSearch {
  request: CreatePredictionInput;
  ref: ReplicateRef;
  signal: AbortSignal | undefined;
  /** Predictions created before this are not looked at (by input) nor paged towards. */
  createdAfterMs: number;
  maxPages: number;
  /** Origin of the configured API; `next` links elsewhere are not followed, since requests carry the token. */
  apiOrigin: string;
}

/** Searches `GET /predictions` (newest first, bounded pages) for the prediction an earlier attempt made. */
export async function findEarlierPrediction(
  caller: ReplicateCaller,
  search: EarlierPredictionSearch,
): Promise<ReplicatePredictionJson | undefined> {
  const { request, ref, signal, createdAfterMs, apiOrigin, maxPages } = search;
  const query: EarlierAttemptQuery = { token: request.idempotencyToken, ref, input: request.input, createdAfterMs };
  const pages = predictionPages(caller, { createdAfterMs, maxPages, apiOrigin, signal, model: request.model });
  for await (const results of pages) {
    const match = findEarlierAttempt(results, query);
    if (match) return match;
  }
  return undefined;
}
