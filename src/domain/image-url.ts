import { describeValue } from './text';
import { invalid } from './field-checks';

const MAX_URL_LENGTH = 2048;
const ALLOWED_PROTOCOLS = ['http:', 'https:'];

/**
 * An absolute http(s) URL without credentials, returned exactly as given (signed URLs must not be
 * re-encoded). Private, loopback and link-local hosts are NOT refused here: telling them apart needs DNS
 * (I/O, and a public name can resolve to a private address), so the download layer checks them.
 */
export function requireImageUrl(value: unknown, field: string): string {
  if (typeof value !== 'string') return invalid(`${field} must be a string URL (got ${describeValue(value)})`);
  if (value.length > MAX_URL_LENGTH) {
    return invalid(`${field} must be at most ${MAX_URL_LENGTH} characters (got ${value.length})`);
  }
  if ([...value].some((character) => character.charCodeAt(0) <= 0x20 || character.charCodeAt(0) === 0x7f)) {
    return invalid(`${field} must not contain spaces or control characters; percent-encode them`);
  }
  const url = parseAbsoluteUrl(value);
  if (!url) return invalid(`${field} must be an absolute http or https URL (got ${describeValue(value)})`);
  if (!ALLOWED_PROTOCOLS.includes(url.protocol)) {
    return invalid(`${field} must be an http or https URL (got a ${url.protocol} URL)`);
  }
  // The value is not echoed: it holds a secret.
  if (url.username !== '' || url.password !== '') return invalid(`${field} must not contain a username or password`);
  if (url.hostname === '') return invalid(`${field} must name a host (got ${describeValue(value)})`);
  return value;
}

function parseAbsoluteUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
