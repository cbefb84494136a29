import type { IncomingHttpHeaders } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';

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

/** Milliseconds to wait according to a Retry-After header (delta-seconds or HTTP date), if it says anything. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Maps a non-success HTTP status of an output download to the failure types of docs/architecture.md (Failures). */
export function failureForStatus(status: number, url: URL, headers: IncomingHttpHeaders): ApplicationFailure {
  const where = describeUrl(url);
  if (status === 404 || status === 410) {
    return clipFailure(FailureType.Generation, `The video at ${where} is missing or expired (HTTP ${status})`);
  }
  if (status === 401 || status === 403) {
    return clipFailure(FailureType.Authentication, `Access to ${where} was refused (HTTP ${status})`);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return clipFailure(FailureType.Retryable, `Downloading ${where} failed with HTTP ${status}`, {
      nextRetryDelay: retryAfterMs(headers['retry-after']),
    });
  }
  return clipFailure(FailureType.Generation, `Downloading ${where} failed with HTTP ${status}`);
}

/** Socket, DNS and TLS errors: the next attempt may well succeed. Already classified failures pass through. */
export function networkFailure(error: unknown, url: URL, doing: string): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  const code = (cause as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${cause.message}` : cause.message;
  return clipFailure(FailureType.Retryable, `${doing} ${describeUrl(url)} failed: ${detail}`, { cause });
}
