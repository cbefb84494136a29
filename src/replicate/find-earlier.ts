import type { CreateIdentity } from '../activities/contracts';
import type { ReplicateRef } from '../domain/replicate-refs';
import type { ReplicateCaller } from './caller';
import { isEarlierAttempt, type EarlierAttemptQuery } from './idempotency';
import { predictionPages } from './prediction-pages';
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
  for await (const match of attemptsOfCreate(caller, search)) return match;
  return undefined;
}

/** Every prediction, newest first and each once, that an attempt of this create made inside the window. */
export async function findAllAttempts(
  caller: ReplicateCaller,
  search: EarlierPredictionSearch,
): Promise<ReplicatePredictionJson[]> {
  const byId = new Map<string, ReplicatePredictionJson>();
  for await (const match of attemptsOfCreate(caller, search)) {
    // A page boundary can shift while new predictions arrive, repeating an item; the first copy is newest.
    if (!byId.has(match.id)) byId.set(match.id, match);
  }
  return [...byId.values()];
}

async function* attemptsOfCreate(
  caller: ReplicateCaller,
  search: EarlierPredictionSearch,
): AsyncGenerator<ReplicatePredictionJson> {
  const { request, ref, signal, createdAfterMs, apiOrigin, maxPages } = search;
  const query: EarlierAttemptQuery = { token: request.idempotencyToken, ref, input: request.input, createdAfterMs };
  const pages = predictionPages(caller, { createdAfterMs, maxPages, apiOrigin, signal, model: request.model });
  for await (const results of pages) {
    for (const item of results) if (isEarlierAttempt(item, query)) yield item;
  }
}
