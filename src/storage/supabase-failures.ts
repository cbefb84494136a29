import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { parseRetryAfter } from '../http/client';

/**
 * What a failed Supabase Storage call said. Storage answers most errors with HTTP 400 and the real code in the
 * body's `statusCode`, so `code` — the body's statusCode, else its code, else the HTTP status — is what decides;
 * `status` is the HTTP status.
 */
export interface StorageErrorReport {
  status?: number;
  code: string;
  /** The body's `code`, e.g. `EntityTooLarge`, `NoSuchBucket`. */
  name?: string;
  message: string;
  retryAfter?: string | null;
}

export interface FailureContext {
  /** What we were doing, e.g. "uploading video-clips/job/clip_0.mp4". */
  doing: string;
  bucket: string;
  /** Names the size limit an EntityTooLarge hit, e.g. "the bucket's file size limit of 50 MiB". */
  sizeLimit?: string;
}

export class StorageTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'StorageTimeoutError';
  }
}

/**
 * Maps a storage answer to docs/architecture.md (Failures) by what its code means on the real Storage API server,
 * which sends most errors as HTTP 400 with the real code in `statusCode` (TUS routes: real statuses, plain text):
 *
 * - 401 (gateway: unknown key), "403" (bad JWT, row-level security) → AuthenticationError;
 * - "413" (over the bucket's or the project's limit) → GenerationError naming the limit;
 * - "404" Bucket not found → InvalidInput saying how to create it;
 * - "404" Object not found (the object went away between our upload and our next call) → RetryableError: the
 *   retry stores it again;
 * - 5xx, 429, 544 → RetryableError; so is "409": clipgen always upserts, so a conflict is a concurrent writer or
 *   a resumable upload whose offset moved, which the next attempt resolves (it asks the server where it stands);
 * - anything else (MIME type refused, a URL that is not Storage's, a bad request) is a setup problem retrying
 *   cannot fix → InvalidInput.
 */
export function failureFromReport(report: StorageErrorReport, context: FailureContext): ApplicationFailure {
  const said = `${report.message} (${describeCode(report)})`;
  const numeric = Number(report.code);
  if (report.code === '401' || report.code === '403' || report.name === 'AccessDenied') {
    return clipFailure(
      FailureType.Authentication,
      `Supabase Storage refused ${context.doing}: ${said}. Check SUPABASE_SERVICE_ROLE_KEY`,
    );
  }
  if (report.code === '413' || report.name === 'EntityTooLarge') {
    const limit = context.sizeLimit ?? 'the bucket or project upload size limit';
    return clipFailure(FailureType.Generation, `The clip is over ${limit}; ${context.doing} failed: ${said}`);
  }
  if (isMissingBucket(report)) {
    return clipFailure(
      FailureType.InvalidInput,
      `Supabase Storage has no bucket "${context.bucket}" (${context.doing}): create it (see README, "Storage (Supabase)") or set STORAGE_CREATE_BUCKET=true; if it exists, check that SUPABASE_SERVICE_ROLE_KEY is the service role key (Storage hides private buckets from other callers)`,
    );
  }
  if (isMissingObject(report)) {
    return clipFailure(
      FailureType.Retryable,
      `Supabase Storage has no object for ${context.doing} any more (deleted meanwhile?): ${said}`,
    );
  }
  if (report.code === '429' || report.code === '544' || report.code === '409' || numeric >= 500) {
    return clipFailure(FailureType.Retryable, `Supabase Storage failed ${context.doing}: ${said}`, {
      nextRetryDelay: parseRetryAfter(report.retryAfter),
    });
  }
  if (report.code === '415' || report.name === 'InvalidMimeType') {
    return clipFailure(
      FailureType.InvalidInput,
      `Bucket "${context.bucket}" does not accept video/mp4 (${context.doing}): ${said}; add it to the bucket's allowed MIME types`,
    );
  }
  if (report.status === 404) {
    return clipFailure(
      FailureType.InvalidInput,
      `Supabase Storage has no such route for ${context.doing}: ${said}; SUPABASE_URL must be the project URL (https://<ref>.supabase.co), without /storage/v1`,
    );
  }
  return clipFailure(FailureType.InvalidInput, `Supabase Storage rejected ${context.doing}: ${said}`);
}

/** "404" Bucket not found (NoSuchBucket): supabase-js passes on only the message, not the body's `code`. */
export function isMissingBucket(report: StorageErrorReport): boolean {
  return report.name === 'NoSuchBucket' || (report.code === '404' && /bucket not found/i.test(report.message));
}

/** "404" Object not found (NoSuchKey), which Storage sends as HTTP 400. */
export function isMissingObject(report: StorageErrorReport): boolean {
  return (
    report.name === 'NoSuchKey' ||
    (report.code === '404' && report.status === 400 && /object not found/i.test(report.message))
  );
}

/** Connection errors and timeouts: the next attempt may well succeed. Classified failures pass through. */
export function networkFailure(error: unknown, context: FailureContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const cause = isErrorLike(error) ? (error as Error) : new Error(String(error));
  const said = describeNetworkError(cause);
  return clipFailure(FailureType.Retryable, `Supabase Storage failed ${context.doing}: ${said}`, { cause });
}

/** The words of a fetch failure and its causes ("fetch failed" keeps the socket error in `cause`). */
export function describeNetworkError(error: Error): string {
  const parts: string[] = [];
  for (let current: unknown = error; isErrorLike(current) && parts.length < 4; current = current.cause) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(code && !current.message.includes(code) ? `${code}: ${current.message}` : current.message);
  }
  return parts.join(': ') || 'network error';
}

/** Errors from undici and Node internals come from another realm under Jest, so `instanceof Error` is not enough. */
function isErrorLike(value: unknown): value is { message: string; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

function describeCode(report: StorageErrorReport): string {
  const http = report.status !== undefined && String(report.status) !== report.code ? `, HTTP ${report.status}` : '';
  return `statusCode ${report.code}${report.name ? ` ${report.name}` : ''}${http}`;
}
