/**
 * What clipgen's HTTP clients (Replicate's API, output downloads, Supabase Storage) share: how they name what they
 * moved and where, in messages that may land in workflow history and logs; and the one `Retry-After` reader.
 */

/** The URL without its query or fragment: signed URLs carry tokens that must not land in workflow history. */
export function describeUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? safeParse(url) : url;
  return parsed ? `${parsed.protocol}//${parsed.host}${parsed.pathname}` : '(unparseable URL)';
}

function safeParse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** `6291456` → `6 MiB (6291456 bytes)`; a size that is no whole number of a larger unit stays in bytes. */
export function describeBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value} ${units[unit]} (${bytes} bytes)`;
}

/**
 * The one `Retry-After` reader (RFC 9110 §10.2.3), for every HTTP client clipgen has: Replicate's API, output
 * downloads and Supabase Storage. The value is either delay-seconds (`1*DIGIT`: `7`, never `1.5` or `-1`) or an
 * HTTP-date in any of its three forms (§5.6.7), which a recipient must all accept:
 *
 * - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` (what servers send),
 * - obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` (a two-digit year more than 50 years ahead is the past century),
 * - obsolete asctime `Sun Nov  6 08:49:37 1994` (always UTC).
 *
 * Anything else (an ISO date, a fraction, words) says nothing, and the caller's own backoff applies. The delay is
 * never negative (a date in the past is "now"), and at most `MAX_RETRY_DELAY_MS`: a server asking for longer is not
 * obeyed blindly, and the retry policy still bounds the attempts.
 */

export const MAX_RETRY_DELAY_MS = 10 * 60_000;

const DAY_NAMES = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const LONG_DAY_NAMES = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// Day names, month names and "GMT" are case-sensitive in the grammar.
const IMF_FIXDATE = new RegExp(`^(?:${DAY_NAMES}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:${LONG_DAY_NAMES}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^(?:${DAY_NAMES}) (${MONTH}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Milliseconds to wait before the next request, from a `Retry-After` value, counted from `nowMs` for an HTTP-date;
 * undefined when the header is absent or not one of the forms above.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  // Optional whitespace around a field value is not part of it.
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return clampRetryDelay(Number(text) * 1000);
  const date = parseHttpDate(text, nowMs);
  return date === undefined ? undefined : clampRetryDelay(date - nowMs);
}

/** A delay in milliseconds, rounded, kept within 0 … MAX_RETRY_DELAY_MS. */
export function clampRetryDelay(ms: number): number {
  return Math.round(Math.min(Math.max(ms, 0), MAX_RETRY_DELAY_MS));
}

/** An HTTP-date (any of the three forms) as epoch milliseconds; undefined when it is none or names no real time. */
export function parseHttpDate(text: string, nowMs: number = Date.now()): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match) {
    const [, day, month, year, hour, minute, second] = match;
    return utc(Number(year), month, Number(day), hour, minute, second);
  }
  match = RFC850_DATE.exec(text);
  if (match) {
    const [, day, month, shortYear, hour, minute, second] = match;
    return utc(fullYear(Number(shortYear), nowMs), month, Number(day), hour, minute, second);
  }
  match = ASCTIME_DATE.exec(text);
  if (match) {
    const [, month, day, hour, minute, second, year] = match;
    return utc(Number(year), month, Number(day.trim()), hour, minute, second);
  }
  return undefined;
}

/** RFC 850's two-digit year: this century's, unless that is more than 50 years ahead, then the previous one's. */
function fullYear(shortYear: number, nowMs: number): number {
  const thisYear = new Date(nowMs).getUTCFullYear();
  const candidate = thisYear - (thisYear % 100) + shortYear;
  return candidate > thisYear + 50 ? candidate - 100 : candidate;
}

function utc(year: number, monthName: string, day: number, hour: string, minute: string, second: string) {
  const month = MONTHS.indexOf(monthName);
  const [h, m, s] = [Number(hour), Number(minute), Number(second)];
  // 60 is a leap second in the grammar; there is no 31 Feb nor 25 o'clock.
  if (h > 23 || m > 59 || s > 60 || day < 1 || day > daysIn(year, month)) return undefined;
  const ms = Date.UTC(year, month, day, h, m, s);
  return Number.isNaN(ms) ? undefined : ms;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}
