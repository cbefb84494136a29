/**
 * Finding the prediction an earlier attempt of the same create already made (DESIGN.md §6, reference §11).
 *
 * Replicate has no idempotency key and rejects unknown body keys, so the token travels in the webhook
 * URL's query (`?clipgen_token=…`, other parameters kept). Without a webhook there is nowhere to put it:
 * then a prediction counts as ours when it has the same model, version and input, was created inside the
 * lookup window and has not failed or been stopped. Two creates with identical input inside that window
 * (two clips of one job with the same prompt and seed, say) could then adopt each other's prediction;
 * send a webhook to rule that out.
 */
import { replicateModelName, type ReplicateRef } from '../domain/replicate-refs';
import type { ReplicatePredictionJson } from './snapshot';

export const IDEMPOTENCY_QUERY_PARAM = 'clipgen_token';

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

export interface EarlierAttemptQuery {
  token: string;
  ref: ReplicateRef;
  input: Record<string, unknown>;
  /** Only predictions created at or after this instant match on input. */
  createdAfterMs: number;
}

const STOPPED_STATUSES = ['failed', 'canceled', 'aborted'];

export function isEarlierAttempt(item: ReplicatePredictionJson, query: EarlierAttemptQuery): boolean {
  if (!sameModel(item, query.ref)) return false;
  if (typeof item.webhook === 'string' && item.webhook) return tokenOfWebhook(item.webhook) === query.token;
  const createdAt = Date.parse(item.created_at ?? '');
  return (
    item.input !== undefined &&
    canonicalJson(item.input) === canonicalJson(query.input) &&
    createdAt >= query.createdAfterMs &&
    !STOPPED_STATUSES.includes(item.status)
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
