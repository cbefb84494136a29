import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { retryAfterMs } from '../media/download-failures';

/**
 * What a failed Supabase Storage call said. Storage answers most errors with HTTP 400 and the real code in the
 * body's `statusCode` (reference §3), so `code` — the body's statusCode, else its code, else the HTTP status — is
 * what decides; `status` is the HTTP status.
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
 * Maps a storage answer to DESIGN.md section 5: 401/403 → AuthenticationError, 413 → GenerationError naming the
 * limit, 5xx/429/544 → RetryableError, anything else (missing bucket, MIME type refused, bad request) is a setup
 * problem retrying cannot fix → InvalidInput.
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
  if (report.code === '429' || report.code === '544' || report.code === '409' || numeric >= 500) {
    return clipFailure(FailureType.Retryable, `Supabase Storage failed ${context.doing}: ${said}`, {
      nextRetryDelay: retryAfterMs(report.retryAfter ?? undefined),
    });
  }
  if (report.name === 'NoSuchBucket' || (report.code === '404' && /bucket/i.test(report.message))) {
    return clipFailure(
      FailureType.InvalidInput,
      `Supabase Storage has no bucket "${context.bucket}" (${context.doing}): create it (see README, "Storage (Supabase)") or set STORAGE_CREATE_BUCKET=true`,
    );
  }
  if (report.code === '415' || report.name === 'InvalidMimeType') {
    return clipFailure(
      FailureType.InvalidInput,
      `Bucket "${context.bucket}" does not accept video/mp4 (${context.doing}): ${said}; add it to the bucket's allowed MIME types`,
    );
  }
  return clipFailure(FailureType.InvalidInput, `Supabase Storage rejected ${context.doing}: ${said}`);
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
