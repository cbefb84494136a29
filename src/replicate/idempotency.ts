/**
 * Recognising the predictions of one create (all its attempts share an idempotency token) among the account's, so a
 * retried create adopts the prediction an earlier attempt made and the stray sweep cancels only what its own create
 * made: never another clip's (docs/reliability.md, finding 9).
 *
 * Replicate has no idempotency key and rejects unknown body keys. Two marks identify a create:
 *
 * 1. Its token, in the webhook URL's query (`?clipgen_token=…`, other parameters kept). It identifies a prediction
 *    only where an answer echoes `webhook`; Replicate's published schema has no such field, so that is unconfirmed.
 * 2. Its input. A create that leaves `seed` unset, on a model that takes one (SVD, CogVideoX), is sent a seed derived
 *    from its token, so two creates never send the same input: equal input means the same create.
 *
 * A prediction that echoes no webhook, of a create whose input is not its own (the user set the seed, or the model
 * takes none: Kling, Hailuo), could be another clip's with identical input. It is never adopted nor cancelled:
 * a retry creates anew and `clipgen reconcile` lists what the lost attempt made.
 */
import { createHash } from 'node:crypto';
import type { CreateIdentity, ModelId } from '../domain/types';
import { replicateModelName, type ReplicateRef } from '../domain/replicate-refs';
import type { ReplicateCaller } from './client';
import { collectPredictions, predictionPages } from './list-predictions';
import type { ReplicatePredictionJson } from './snapshot';

export const IDEMPOTENCY_QUERY_PARAM = 'clipgen_token';

/**
 * Models whose input takes an integer `seed` (cog-svd: any integer, random when unset; cogvideox-5b: default 42). The
 * official models take none.
 */
const SEEDED_MODELS: ReadonlySet<ModelId> = new Set<ModelId>(['svd', 'cogvideox']);

/** The webhook URL carrying our token; throws a TypeError for a URL that does not parse. */
export function webhookUrlWithToken(webhookUrl: string, token: string): string {
  const url = new URL(webhookUrl);
  url.searchParams.set(IDEMPOTENCY_QUERY_PARAM, token);
  return url.toString();
}

export function tokenOfWebhook(webhookUrl: string): string | null {
  try {
    return new URL(webhookUrl).searchParams.get(IDEMPOTENCY_QUERY_PARAM);
  } catch {
    return null;
  }
}

/** The seed a create without one is sent: from its token, 0 to 2^31 - 1 (fits every model's integer seed). */
export function seedOfToken(token: string): number {
  return createHash('sha256').update(token).digest().readUInt32BE(0) >>> 1;
}

/** True when the create's input is its own: clipgen chooses its seed (from the token), so no other create sends it. */
export function inputIdentifiesCreate(create: Pick<CreateIdentity, 'model' | 'input'>): boolean {
  return SEEDED_MODELS.has(create.model) && create.input.seed === undefined;
}

/** The input a create sends: the planned input, with the token's seed when clipgen chooses it. */
export function inputOfCreate(create: CreateIdentity): Record<string, unknown> {
  return inputIdentifiesCreate(create) ? { ...create.input, seed: seedOfToken(create.idempotencyToken) } : create.input;
}

export interface EarlierAttemptQuery {
  token: string;
  ref: ReplicateRef;
  /** The input the create sends (inputOfCreate). */
  input: Record<string, unknown>;
  /** Whether equal input identifies the create (inputIdentifiesCreate); if not, only an echoed token does. */
  inputIdentifies: boolean;
  /** Only predictions created at or after this instant match on input. */
  createdAfterMs: number;
}

export function attemptQuery(create: CreateIdentity, ref: ReplicateRef, createdAfterMs: number): EarlierAttemptQuery {
  return {
    token: create.idempotencyToken,
    ref,
    input: inputOfCreate(create),
    inputIdentifies: inputIdentifiesCreate(create),
    createdAfterMs,
  };
}

/** Whether a listed prediction was made by an attempt of this create; false whenever it could be another's. */
export function isEarlierAttempt(item: ReplicatePredictionJson, query: EarlierAttemptQuery): boolean {
  if (!sameModel(item, query.ref)) return false;
  if (typeof item.webhook === 'string' && item.webhook) return tokenOfWebhook(item.webhook) === query.token;
  if (!query.inputIdentifies) return false;
  // Stopped ones count too: the input is this create's alone, so a failed or cancelled match is still its own.
  return (
    item.input !== undefined &&
    canonicalJson(item.input) === canonicalJson(query.input) &&
    Date.parse(item.created_at ?? '') >= query.createdAfterMs
  );
}

function sameModel(item: ReplicatePredictionJson, ref: ReplicateRef): boolean {
  if (item.model !== undefined && item.model !== replicateModelName(ref)) return false;
  if (ref.version && item.version && item.version !== 'hidden' && item.version !== ref.version) return false;
  return item.model !== undefined || (ref.version !== null && item.version === ref.version);
}

/** JSON with object keys sorted, so inputs compare equal whatever order their keys were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    nested && typeof nested === 'object' && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : nested,
  );
}

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
