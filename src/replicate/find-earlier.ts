import type { CreatePredictionInput } from '../activities/contracts';
import type { ReplicateRef } from '../domain/replicate-refs';
import type { ReplicateCaller } from './caller';
import { findEarlierAttempt, type EarlierAttemptQuery } from './idempotency';
import { asPredictionJson, type ReplicatePredictionJson } from './snapshot';

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

interface PredictionPage {
  results: ReplicatePredictionJson[];
  next: string | null;
}

/** Searches `GET /predictions` (newest first, bounded pages) for the prediction an earlier attempt made. */
export async function findEarlierPrediction(
  caller: ReplicateCaller,
  search: EarlierPredictionSearch,
): Promise<ReplicatePredictionJson | undefined> {
  const { request, ref, signal, createdAfterMs, apiOrigin } = search;
  const query: EarlierAttemptQuery = { token: request.idempotencyToken, ref, input: request.input, createdAfterMs };
  let route: string | URL = '/predictions';
  // Honoured by the current API (and the simulator); a server that ignores it still lists newest first.
  let params: Record<string, string> = { created_after: new Date(createdAfterMs).toISOString() };
  for (let pageNumber = 1; pageNumber <= search.maxPages; pageNumber++) {
    const page = await caller.call({ operation: 'list', model: request.model }, signal, {}, async (client) => {
      const response = await client.request(route, { method: 'GET', params, signal });
      return asPredictionPage(await response.json());
    });
    const match = findEarlierAttempt(page.results, query);
    if (match) return match;
    const oldest = page.results.at(-1);
    const olderPagesMatter = oldest !== undefined && Date.parse(oldest.created_at ?? '') >= createdAfterMs;
    if (!page.next || !olderPagesMatter || new URL(page.next, apiOrigin).origin !== apiOrigin) return undefined;
    route = new URL(page.next, apiOrigin);
    params = {};
  }
  return undefined;
}

function asPredictionPage(value: unknown): PredictionPage {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  if (!Array.isArray(record.results)) throw new Error('Replicate listed predictions without a results array');
  const results = record.results.flatMap((item: unknown) => {
    try {
      return [asPredictionJson(item)];
    } catch {
      return [];
    }
  });
  return { results, next: typeof record.next === 'string' && record.next ? record.next : null };
}
