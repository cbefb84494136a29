import type { CreateIdentity } from '../activities/contracts';
import type { ReplicateRef } from '../domain/replicate-refs';
import type { ReplicateCaller } from './caller';
import { attemptQuery, isEarlierAttempt } from './idempotency';
import { collectPredictions, predictionPages } from './prediction-pages';
import type { ReplicatePredictionJson } from './snapshot';

export interface EarlierPredictionSearch {
  request: CreateIdentity;
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
  const isAttempt = attemptMatcher(search);
  for await (const results of pagesOf(caller, search)) {
    const match = results.find(isAttempt);
    if (match) return match;
  }
  return undefined;
}

/** Every prediction, newest first and each once, that an attempt of this create made inside the window. */
export async function findAllAttempts(
  caller: ReplicateCaller,
  search: EarlierPredictionSearch,
): Promise<ReplicatePredictionJson[]> {
  return (await collectPredictions(pagesOf(caller, search), attemptMatcher(search))).predictions;
}

function attemptMatcher({ request, ref, createdAfterMs }: EarlierPredictionSearch) {
  const query = attemptQuery(request, ref, createdAfterMs);
  return (item: ReplicatePredictionJson) => isEarlierAttempt(item, query);
}

function pagesOf(
  caller: ReplicateCaller,
  { request, signal, createdAfterMs, apiOrigin, maxPages }: EarlierPredictionSearch,
) {
  return predictionPages(caller, { createdAfterMs, maxPages, apiOrigin, signal, model: request.model });
}
