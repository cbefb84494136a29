/** Read-only access to the account's predictions, for reconciliation: the paged list, and a lookup by id. */
import { createReplicateCaller, failureOf } from './caller';
import { DEFAULT_REPLICATE_BASE_URL, type ReplicateClientConfig } from './client';
import { PREDICTION_ID } from './gateway';
import { predictionPages, type PagingEnd } from './prediction-pages';
import { asPredictionJson, type ReplicatePredictionJson } from './snapshot';

export interface ListedPredictions {
  /** Newest first; each prediction once. */
  predictions: ReplicatePredictionJson[];
  /** False when `maxPages` ran out before the start of the window. */
  complete: boolean;
}

export interface PredictionLister {
  /** Every prediction created in [createdAfterMs, createdBeforeMs), reading at most `maxPages` pages. */
  listCreatedSince(createdAfterMs: number, maxPages: number, createdBeforeMs?: number): Promise<ListedPredictions>;
  /** The prediction, or null when Replicate does not know it (404, or not a prediction id at all). */
  lookup(id: string): Promise<ReplicatePredictionJson | null>;
}

export function createPredictionLister(config: ReplicateClientConfig = {}): PredictionLister {
  const caller = createReplicateCaller(config, Date.now);
  const apiOrigin = new URL(config.baseUrl ?? DEFAULT_REPLICATE_BASE_URL).origin;

  return {
    async listCreatedSince(createdAfterMs, maxPages, createdBeforeMs) {
      const byId = new Map<string, ReplicatePredictionJson>();
      const pages = predictionPages(caller, { createdAfterMs, createdBeforeMs, maxPages, apiOrigin });
      let end: IteratorResult<ReplicatePredictionJson[], PagingEnd>;
      while (!(end = await pages.next()).done) {
        for (const prediction of end.value) {
          // A page boundary can shift while new predictions arrive, repeating an item; the first copy is newest.
          if (Date.parse(prediction.created_at ?? '') >= createdAfterMs && !byId.has(prediction.id)) {
            byId.set(prediction.id, prediction);
          }
        }
      }
      return { predictions: [...byId.values()], complete: end.value === 'complete' };
    },

    async lookup(id) {
      if (!PREDICTION_ID.test(id)) return null;
      const outcome = await caller.attempt({ operation: 'get', predictionId: id }, {}, async (client) =>
        asPredictionJson(await client.predictions.get(id)),
      );
      if (outcome.ok) return outcome.value;
      if (outcome.failure?.kind === 'http' && outcome.failure.status === 404) return null;
      throw failureOf(outcome, undefined);
    },
  };
}
