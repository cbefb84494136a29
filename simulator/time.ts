/** ISO-8601 UTC with microseconds, as Replicate writes timestamps (`2023-09-08T16:19:34.765994Z`). */
export function isoMicros(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  return new Date(whole).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

/** Seconds with microsecond precision, as in `metrics.predict_time`. */
export function secondsMicros(ms: number): number {
  return Math.round(ms * 1000) / 1_000_000;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a `Cancel-After` duration in Go's notation ('90s', '2m', '1h30m', '1.5h', '500ms'); a bare number
 * means seconds. Returns milliseconds, or null when the text is not a positive duration.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return positive(Number(trimmed) * 1000);
  if (!/^(\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(DURATION_PART)) total += Number(amount) * UNIT_MS[unit];
  return positive(total);
}

function positive(ms: number): number | null {
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** Seconds to hold a create for `Prefer: wait[=n]` (1–60), or null when the header asks for no wait. */
export function parsePreferWait(header: string | undefined): number | null {
  if (!header) return null;
  for (const preference of header.split(/[,;]/)) {
    const match = /^\s*wait(?:\s*=\s*(\d+))?\s*$/i.exec(preference);
    if (!match) continue;
    if (match[1] === undefined) return 60;
    return Math.min(60, Math.max(1, Number(match[1])));
  }
  return null;
}

/** Resolves after `ms`, or at once (with false) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
