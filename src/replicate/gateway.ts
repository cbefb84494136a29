import { FailureType, clipFailure } from '../domain/failures';
import {
  isModelId,
  type CreateIdentity,
  type CreatePredictionInput,
  isTerminalStatus,
  type ModelId,
  type PredictionSnapshot,
} from '../domain/types';
import { REPLICATE_REFS, replicateModelName, type ReplicateRef } from '../domain/replicate-refs';
import {
  createReplicateCaller,
  failureOf,
  DEFAULT_REPLICATE_BASE_URL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type AttemptFailure,
  type ReplicateClientConfig,
} from './client';
import {
  findAllAttempts,
  findEarlierPrediction,
  inputOfCreate,
  webhookUrlWithToken,
  type EarlierPredictionSearch,
} from './idempotency';
import { PREDICTION_ID, toPredictionSnapshot, type ReplicatePredictionJson } from './snapshot';

export interface ReplicateGatewayConfig extends ReplicateClientConfig {
  /** How far back a retried create looks for the prediction an earlier attempt made. Default 15 minutes. */
  lookupWindowMs?: number;
  /** Pages of `GET /predictions` (100 each, newest first) one lookup reads at most. Default 2. */
  lookupMaxPages?: number;
  /** Clock, for the lookup window and HTTP-date Retry-After values. Default Date.now. */
  now?: () => number;
}

export interface CreatePredictionOptions {
  /**
   * Look for a prediction an earlier attempt made before creating one (one or two list calls).
   * Default true; the activity passes false on its first attempt, when there can be none.
   */
  lookupExisting?: boolean;
  /** Only predictions created at or after this instant can be adopted. Default: now minus `lookupWindowMs`. */
  lookupCreatedSinceMs?: number;
}

/** A prediction from a create, and whether it is one an earlier attempt made (found, not created). */
export interface CreatedSnapshot extends PredictionSnapshot {
  adopted: boolean;
}

/**
 * Our thin layer over the `replicate` client. Every method makes at most one HTTP attempt per request (Temporal
 * owns retries) and throws only failures classified by src/replicate/classify-error.ts.
 */
export interface ReplicateGateway {
  /**
   * Adopts the prediction an earlier attempt of this create made (when `lookupExisting`), else creates one. A create
   * without a `seed` on a model that takes one is sent the seed derived from its token (idempotency.ts).
   */
  createPrediction(
    request: CreatePredictionInput,
    signal?: AbortSignal,
    options?: CreatePredictionOptions,
  ): Promise<CreatedSnapshot>;
  getPrediction(model: ModelId, id: string, signal?: AbortSignal): Promise<PredictionSnapshot>;
  /** Idempotent: cancelling a finished prediction returns it unchanged. */
  cancelPrediction(model: ModelId, id: string, signal?: AbortSignal): Promise<PredictionSnapshot>;
  /**
   * Every prediction an attempt of this create made since `createdAfterMs` (the same match as the create's lookup: an
   * echoed token, or an input only this create sends; never one that could be another create's), newest first.
   * Reads `GET /predictions` only.
   */
  findAttempts(request: CreateIdentity, createdAfterMs: number, signal?: AbortSignal): Promise<PredictionSnapshot[]>;
  /** How long one HTTP request may take before it is abandoned (and may still be carried out later). */
  readonly requestTimeoutMs: number;
}

const DEFAULT_LOOKUP_WINDOW_MS = 15 * 60_000;
const DEFAULT_LOOKUP_MAX_PAGES = 2;

export function createReplicateGateway(config: ReplicateGatewayConfig = {}): ReplicateGateway {
  const now = config.now ?? Date.now;
  const caller = createReplicateCaller(config, now);
  const apiOrigin = new URL(config.baseUrl ?? DEFAULT_REPLICATE_BASE_URL).origin;

  async function getPrediction(model: ModelId, id: string, signal?: AbortSignal): Promise<PredictionSnapshot> {
    refOf(model);
    checkPredictionId(id);
    return caller.call({ operation: 'get', model, predictionId: id }, signal, {}, async (client) =>
      toPredictionSnapshot(model, await client.predictions.get(id, { signal })),
    );
  }

  function attemptSearch(
    request: CreateIdentity,
    createdAfterMs: number,
    signal: AbortSignal | undefined,
  ): EarlierPredictionSearch {
    const maxPages = config.lookupMaxPages ?? DEFAULT_LOOKUP_MAX_PAGES;
    return { request, ref: refOf(request.model), signal, createdAfterMs, maxPages, apiOrigin };
  }

  /** Everything a create does before its own request; a failure here sent no create. */
  async function prepareCreate(
    request: CreatePredictionInput,
    signal: AbortSignal | undefined,
    options: CreatePredictionOptions,
  ): Promise<{ ref: ReplicateRef; webhook: string | undefined; earlier: ReplicatePredictionJson | undefined }> {
    const ref = refOf(request.model);
    const webhook = request.webhook ? webhookWithToken(request.webhook.url, request) : undefined;
    if (!(options.lookupExisting ?? true)) return { ref, webhook, earlier: undefined };
    const createdAfterMs = options.lookupCreatedSinceMs ?? now() - (config.lookupWindowMs ?? DEFAULT_LOOKUP_WINDOW_MS);
    return {
      ref,
      webhook,
      earlier: await findEarlierPrediction(caller, attemptSearch(request, createdAfterMs, signal)),
    };
  }

  return {
    async createPrediction(request, signal, options = {}) {
      const { ref, webhook, earlier } = await prepareCreate(request, signal, options).catch((err: unknown) =>
        Promise.reject(markUnsent(err)),
      );
      if (earlier) return { ...toPredictionSnapshot(request.model, earlier), adopted: true };
      const body = {
        // With the token's seed when clipgen chooses it, so that this create's input is its own (idempotency.ts).
        input: inputOfCreate(request),
        ...(webhook ? { webhook } : {}),
        ...(webhook && request.webhook?.events.length ? { webhook_events_filter: request.webhook.events } : {}),
        signal,
      };
      const headers = cancelAfterHeaders(request.cancelAfterSeconds);
      const outcome = await caller.attempt({ operation: 'create', model: request.model }, headers, async (client) => {
        const version = pinnedVersion(ref);
        const created = version
          ? await client.predictions.create({ ...body, version })
          : await client.predictions.create({ ...body, model: replicateModelName(ref) });
        return toPredictionSnapshot(request.model, created);
      });
      if (outcome.ok) return { ...outcome.value, adopted: false };
      const failure = failureOf(outcome, signal);
      if (outcome.requestsSent === 0) throw markUnsent(failure);
      throw wasAnswered(outcome.failure) ? markSettled(failure) : failure;
    },

    async findAttempts(request, createdAfterMs, signal) {
      const found = await findAllAttempts(caller, attemptSearch(request, createdAfterMs, signal));
      return found.map((prediction) => toPredictionSnapshot(request.model, prediction));
    },

    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,

    getPrediction,

    async cancelPrediction(model, id, signal) {
      refOf(model);
      checkPredictionId(id);
      const outcome = await caller.attempt({ operation: 'cancel', model, predictionId: id }, {}, async (client) =>
        toPredictionSnapshot(model, await client.predictions.cancel(id, { signal })),
      );
      if (outcome.ok) return outcome.value;
      if (!signal?.aborted && outcome.failure?.kind === 'http') {
        if (outcome.failure.status === 404) return vanishedPrediction(model, id);
        if (isRefusalOfFinishedPrediction(outcome.failure.status)) {
          // Some servers refuse to cancel what has already finished; that is the outcome cancel wanted.
          const current = await getPrediction(model, id, signal);
          if (isTerminalStatus(current.status)) return current;
        }
      }
      throw failureOf(outcome, signal);
    },
  };
}

/** Community models run a pinned version (`POST /predictions`); official ones run by name (the model route). */
function pinnedVersion(ref: ReplicateRef): string | null {
  return ref.official ? null : ref.version;
}

function refOf(model: ModelId): ReplicateRef {
  if (!isModelId(model)) {
    throw clipFailure(
      FailureType.InvalidInput,
      `Unknown model ${JSON.stringify(model)}: it has no Replicate reference`,
    );
  }
  return REPLICATE_REFS[model];
}

function checkPredictionId(id: string): void {
  // The id becomes part of the request path; anything else could address another route.
  if (typeof id !== 'string' || !PREDICTION_ID.test(id)) {
    throw clipFailure(
      FailureType.InvalidInput,
      `Not a Replicate prediction id: ${JSON.stringify(String(id).slice(0, 40))}`,
    );
  }
}

function webhookWithToken(url: string, request: CreatePredictionInput): string {
  try {
    return webhookUrlWithToken(url, request.idempotencyToken);
  } catch {
    throw clipFailure(FailureType.InvalidInput, `The webhook URL for ${request.model} is not a valid URL`);
  }
}

/** `Cancel-After: 150s`, so Replicate stops the prediction itself if we are no longer there to cancel it. */
export function cancelAfterHeaders(cancelAfterSeconds: number | undefined): Record<string, string> {
  if (cancelAfterSeconds === undefined || !Number.isFinite(cancelAfterSeconds) || cancelAfterSeconds <= 0) return {};
  return { 'Cancel-After': `${Math.ceil(cancelAfterSeconds)}s` };
}

function isRefusalOfFinishedPrediction(status: number): boolean {
  return status === 400 || status === 409 || status === 422;
}

/** Cancel of a prediction Replicate no longer knows: nothing is left running, so cleanup is done. */
function vanishedPrediction(model: ModelId, id: string): PredictionSnapshot {
  return {
    id,
    model,
    status: 'canceled',
    outputUrl: null,
    error: `Prediction ${id} no longer exists on Replicate; there was nothing left to cancel`,
    predictTime: null,
    videoOutputDurationSeconds: null,
    createdAt: null,
    startedAt: null,
    completedAt: null,
    dataRemoved: true,
  };
}

/**
 * Whether a failed create can still turn into a prediction later. Once the API has answered, even with a 5xx,
 * it has finished with the request: whatever it made exists already, where the retry's lookup finds it. A create
 * that was never sent made nothing. Only a create that got no answer (timed out, lost its connection, or its
 * worker died) may be carried out after the retry has looked, leaving a stray prediction nobody waits for.
 */
const settledFailures = new WeakSet<object>();
const unsentFailures = new WeakSet<object>();

/** Marks a failure (as thrown by a create) as one after which no prediction of that attempt can appear; returns it. */
export function markSettled<T>(failure: T): T {
  if (typeof failure === 'object' && failure !== null) settledFailures.add(failure);
  return failure;
}

/** Marks a failure as one thrown before the create request was sent (settled, then, too); returns it. */
export function markUnsent<T>(failure: T): T {
  if (typeof failure === 'object' && failure !== null) unsentFailures.add(failure);
  return failure;
}

export function isSettled(failure: unknown): boolean {
  return typeof failure === 'object' && failure !== null && (settledFailures.has(failure) || isUnsent(failure));
}

/** Only failures marked so count as unsent: an unmarked one may have sent its request. */
export function isUnsent(failure: unknown): boolean {
  return typeof failure === 'object' && failure !== null && unsentFailures.has(failure);
}

/** The API answered the request with a status, so it is done with it. */
export function wasAnswered(failure: AttemptFailure | null): boolean {
  return failure?.kind === 'http';
}
