/** Read-only access to the account's predictions, for reconciliation: the paged list, and a lookup by id. */
import type { ModelId } from '../domain/types';
import {
  createReplicateCaller,
  failureOf,
  DEFAULT_REPLICATE_BASE_URL,
  type ReplicateCaller,
  type ReplicateClientConfig,
} from './client';
import { asPredictionJson, PREDICTION_ID, type ReplicatePredictionJson } from './snapshot';

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

/**
 * Paging through `GET /predictions` (newest first, 100 a page): the one loop shared by the create lookup
 * (idempotency.ts) and `clipgen reconcile`.
 */
export interface PredictionPagesQuery {
  /** Pages older than this are not requested; sent as `created_after`. */
  createdAfterMs: number;
  /** Sent as `created_before` when given. */
  createdBeforeMs?: number;
  maxPages: number;
  /** Origin of the configured API; `next` links elsewhere are not followed, since requests carry the token. */
  apiOrigin: string;
  signal?: AbortSignal;
  /** Named in failure messages. */
  model?: ModelId;
}

export interface PredictionPage {
  results: ReplicatePredictionJson[];
  next: string | null;
}

/** Why paging stopped: every page of the window was read, or `maxPages` ran out first. */
export type PagingEnd = 'complete' | 'page-limit';

/**
 * Yields the pages of predictions created at or after `createdAfterMs`, newest first, until a page reaches
 * older ones, there is no next page, or `maxPages` were read. A server that ignores the date filters still
 * lists newest first, so the age check alone bounds the walk.
 */
export async function* predictionPages(
  caller: ReplicateCaller,
  query: PredictionPagesQuery,
): AsyncGenerator<ReplicatePredictionJson[], PagingEnd> {
  const { signal, createdAfterMs, apiOrigin } = query;
  let route: string | URL = '/predictions';
  let params: Record<string, string> = {
    created_after: new Date(createdAfterMs).toISOString(),
    ...(query.createdBeforeMs !== undefined ? { created_before: new Date(query.createdBeforeMs).toISOString() } : {}),
  };
  for (let pageNumber = 1; pageNumber <= query.maxPages; pageNumber++) {
    const page = await caller.call({ operation: 'list', model: query.model }, signal, {}, async (client) => {
      const response = await client.request(route, { method: 'GET', params, signal });
      return asPredictionPage(await response.json());
    });
    yield page.results;
    const oldest = page.results.at(-1);
    const olderPagesMatter = oldest !== undefined && Date.parse(oldest.created_at ?? '') >= createdAfterMs;
    if (!page.next || !olderPagesMatter || new URL(page.next, apiOrigin).origin !== apiOrigin) return 'complete';
    route = new URL(page.next, apiOrigin);
    params = {};
  }
  return 'page-limit';
}

/**
 * Reads every page and keeps the predictions `keep` accepts, each once: a page boundary can shift while new
 * predictions arrive, repeating an item, and the first copy is the newest.
 */
export async function collectPredictions(
  pages: AsyncGenerator<ReplicatePredictionJson[], PagingEnd>,
  keep: (prediction: ReplicatePredictionJson) => boolean,
): Promise<{ predictions: ReplicatePredictionJson[]; end: PagingEnd }> {
  const byId = new Map<string, ReplicatePredictionJson>();
  let page: IteratorResult<ReplicatePredictionJson[], PagingEnd>;
  while (!(page = await pages.next()).done) {
    for (const prediction of page.value) {
      if (!byId.has(prediction.id) && keep(prediction)) byId.set(prediction.id, prediction);
    }
  }
  return { predictions: [...byId.values()], end: page.value };
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
