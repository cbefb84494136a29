/** How long Replicate asks us to wait, from `Retry-After` or, failing that, the words of a 429's detail. */

/** Used for a 429 that names no delay at all. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 10_000;
/** A server asking for longer than this is not obeyed blindly; the retry policy still bounds the attempts. */
export const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** `Retry-After` as seconds (`7`, `1.5`) or an HTTP-date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return clampDelay(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return clampDelay(date - nowMs);
}

/** "Your rate limit resets in ~30s." or "Expected available in 1 second." → milliseconds. */
export function retryDelayFromDetail(detail: string): number | undefined {
  const match =
    /resets in\s*~?\s*(\d+(?:\.\d+)?)\s*s/i.exec(detail) ?? /available in\s*~?\s*(\d+(?:\.\d+)?)\s*sec/i.exec(detail);
  return match ? clampDelay(Number(match[1]) * 1000) : undefined;
}

function clampDelay(ms: number): number {
  return Math.round(Math.min(Math.max(ms, 0), MAX_RETRY_DELAY_MS));
}
