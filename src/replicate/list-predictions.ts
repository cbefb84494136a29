/** Read-only access to the account's predictions, for reconciliation: the paged list, and a lookup by id. */
import { createReplicateCaller, failureOf } from './caller';
import { DEFAULT_REPLICATE_BASE_URL, type ReplicateClientConfig } from './client';
import { PREDICTION_ID } from './gateway';
import { collectPredictions, predictionPages } from './prediction-pages';
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
      const pages = predictionPages(caller, { createdAfterMs, createdBeforeMs, maxPages, apiOrigin });
      const { predictions, end } = await collectPredictions(
        pages,
        (prediction) => Date.parse(prediction.created_at ?? '') >= createdAfterMs,
      );
      return { predictions, complete: end === 'complete' };
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
