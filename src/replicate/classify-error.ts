/**
 * THE one place that maps Replicate's HTTP statuses, the `replicate` client's errors and network errors
 * to the failure types of docs/architecture.md (Failures). Every message is redacted of the API token.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure, type ClipFailureOptions } from '../domain/failures';
import { isPlatformFailure } from '../domain/prediction-errors';
import { REPLICATE_REFS, replicateModelName } from '../domain/replicate-refs';
import type { ModelId } from '../domain/types';
import { clampRetryDelay, parseRetryAfter } from '../http/client';

export { classifyPredictionError, classifyPredictionFailure } from '../domain/prediction-errors';

export type ReplicateOperation = 'create' | 'get' | 'cancel' | 'list';

export interface ReplicateCallContext {
  operation: ReplicateOperation;
  model?: ModelId;
  predictionId?: string;
  /** Values that must never appear in a message (the API token). */
  secrets?: readonly (string | undefined)[];
  /** The per-request timeout, named in the message when it expires. */
  timeoutMs?: number;
  /** Clock for HTTP-date `Retry-After` values (ms since epoch). */
  nowMs?: number;
}

/** What a failed HTTP exchange told us. */
export interface HttpErrorInfo {
  status: number;
  statusText?: string;
  retryAfter: string | null;
  body: string;
}

interface ErrorLike {
  name: string;
  message: string;
  cause?: unknown;
}

interface ApiErrorLike extends ErrorLike {
  response?: Response;
}

/** Duck-typed: errors from fetch may come from another realm (e.g. under Jest), where instanceof Error fails. */
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as ErrorLike).message === 'string';
}

const MAX_DETAIL_CHARS = 300;

/** `{status, retryAfter, body}` of the client's ApiError (not exported at runtime, so detected by name). */
export function httpErrorInfoFromApiError(error: unknown): HttpErrorInfo | null {
  if (!isErrorLike(error) || error.name !== 'ApiError') return null;
  const response = (error as ApiErrorLike).response;
  // The client has consumed the body; its text survives only in the message.
  const fromMessage = /failed with status (\d+)([^:]*): ([\s\S]*)\.$/.exec(error.message);
  const status = response?.status ?? (fromMessage ? Number(fromMessage[1]) : NaN);
  if (!Number.isInteger(status)) return null;
  return {
    status,
    statusText: response?.statusText || fromMessage?.[2].trim() || undefined,
    retryAfter: response?.headers.get('retry-after') ?? null,
    body: fromMessage?.[3] ?? '',
  };
}

export function classifyHttpError(info: HttpErrorInfo, context: ReplicateCallContext): ApplicationFailure {
  const problem = parseProblem(info.body);
  const detail = describeProblem(problem, info);
  const status = info.status;
  const fail = (type: FailureType, reason: string, options?: ClipFailureOptions) =>
    clipFailure(type, redactSecrets(`${subjectOf(context)}: ${reason}`, context.secrets), options);

  if (status === 429) {
    const delayMs =
      parseRetryAfter(info.retryAfter, context.nowMs) ??
      retryDelayFromDetail(`${problem.detail ?? ''} ${problem.title ?? ''}`) ??
      DEFAULT_RATE_LIMIT_DELAY_MS;
    return fail(
      FailureType.Retryable,
      `rate limited by Replicate (HTTP 429): ${detail}; retry in ${delayMs / 1000} s`,
      {
        nextRetryDelay: delayMs,
      },
    );
  }
  if (status >= 500) {
    const delayMs = parseRetryAfter(info.retryAfter, context.nowMs);
    const createNote = context.operation === 'create' ? ' (the retry first looks for a prediction this one made)' : '';
    return fail(FailureType.Retryable, `Replicate server error (HTTP ${status}): ${detail}${createNote}`, {
      nextRetryDelay: delayMs,
    });
  }
  if (status === 401 || status === 403) {
    return fail(
      FailureType.Authentication,
      `Replicate refused the credentials (HTTP ${status}): ${detail}. Check REPLICATE_API_TOKEN`,
    );
  }
  if (status === 402) {
    return fail(FailureType.Billing, `the Replicate account is out of credit (HTTP 402): ${detail}`);
  }
  // Replicate's platform failing to handle the prediction is transient whatever the status (a poll has been seen
  // answered 422 with it): retried, never taken for a refused input.
  if (isPlatformFailure(`${problem.title ?? ''} ${problem.detail ?? ''} ${info.body}`)) {
    return fail(FailureType.Retryable, `Replicate failed handling the prediction (HTTP ${status}): ${detail}`);
  }
  if (status === 404) {
    if (context.operation === 'create') {
      return fail(FailureType.ModelUnavailable, `the model is not available on Replicate (HTTP 404): ${detail}`);
    }
    if (context.operation === 'get' || context.operation === 'cancel') {
      return fail(FailureType.Generation, `the prediction no longer exists on Replicate (HTTP 404): ${detail}`);
    }
  }
  if (status === 422 && isVersionProblem(problem)) {
    return fail(FailureType.ModelUnavailable, `the model version is missing or not permitted (HTTP 422): ${detail}`);
  }
  if (status === 422) {
    return fail(FailureType.InvalidInput, `Replicate rejected the input (HTTP 422): ${detail}`);
  }
  if (status === 408) {
    return fail(FailureType.Retryable, `Replicate timed out reading the request (HTTP 408): ${detail}`);
  }
  if (status >= 400) {
    return fail(FailureType.InvalidInput, `Replicate rejected the request (HTTP ${status}): ${detail}`);
  }
  return fail(FailureType.Retryable, `unexpected HTTP ${status} from Replicate: ${detail}`);
}

/** Connection resets and refusals, DNS hiccups, timeouts and aborts: all worth another attempt. */
export function classifyNetworkError(error: unknown, context: ReplicateCallContext): ApplicationFailure {
  const reason = isTimeout(error)
    ? `no response from Replicate within ${formatSeconds(context.timeoutMs)}`
    : `network error talking to Replicate (${describeNetworkError(error)})`;
  const createNote =
    context.operation === 'create' ? '; the prediction may have been created, the retry looks for it first' : '';
  return clipFailure(
    FailureType.Retryable,
    redactSecrets(`${subjectOf(context)}: ${reason}${createNote}`, context.secrets),
  );
}

/** Any error from a call through the `replicate` client. ApplicationFailures pass through unchanged. */
export function classifyReplicateError(error: unknown, context: ReplicateCallContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const http = httpErrorInfoFromApiError(error);
  if (http) return classifyHttpError(http, context);
  if (isNetworkError(error)) return classifyNetworkError(error, context);
  const message = isErrorLike(error) ? error.message : String(error);
  if (message === 'Invalid webhook URL') {
    return clipFailure(FailureType.InvalidInput, `${subjectOf(context)}: the webhook URL is not a valid URL`);
  }
  const reason =
    isErrorLike(error) && error.name === 'SyntaxError'
      ? `Replicate's response was not readable JSON (${message})`
      : `unexpected error: ${message}`;
  return clipFailure(FailureType.Retryable, redactSecrets(`${subjectOf(context)}: ${reason}`, context.secrets));
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const NETWORK_MESSAGES = /fetch failed|socket hang up|other side closed|terminated|network|ECONNRESET|ECONNREFUSED/i;

export function isNetworkError(error: unknown): boolean {
  if (isTimeout(error) || isAbort(error)) return true;
  return causeChain(error).some(
    (link) => NETWORK_CODES.has(codeOf(link) ?? '') || (isErrorLike(link) && NETWORK_MESSAGES.test(link.message)),
  );
}

function isTimeout(error: unknown): boolean {
  return causeChain(error).some((link) => isErrorLike(link) && link.name === 'TimeoutError');
}

function isAbort(error: unknown): boolean {
  return isErrorLike(error) && error.name === 'AbortError';
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  for (const link of causeChain(error)) {
    const code = codeOf(link);
    const message = isErrorLike(link) ? link.message : String(link);
    parts.push(code && !message.includes(code) ? `${code}: ${message}` : message);
  }
  return parts.join(' <- ') || 'unknown';
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let link: unknown = error;
  while (link !== undefined && link !== null && chain.length < 5 && !chain.includes(link)) {
    chain.push(link);
    link = isErrorLike(link) ? link.cause : undefined;
  }
  return chain;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function subjectOf(context: ReplicateCallContext): string {
  const ref = context.model ? REPLICATE_REFS[context.model] : undefined;
  const modelText = context.model ? `${ref ? replicateModelName(ref) : context.model} (${context.model})` : 'Replicate';
  const id = context.predictionId ?? 'unknown id';
  switch (context.operation) {
    case 'create':
      return `Creating a prediction on ${modelText} failed`;
    case 'get':
      return `Fetching prediction ${id} on ${modelText} failed`;
    case 'cancel':
      return `Cancelling prediction ${id} on ${modelText} failed`;
    case 'list':
      return context.model
        ? `Listing recent predictions (looking for an earlier one on ${modelText}) failed`
        : "Listing the account's predictions failed";
  }
}

interface ProblemBody {
  title?: string;
  detail?: string;
  invalidFields: string[];
}

/** Replicate's RFC 7807-style `{title?, detail, status, invalid_fields?}`; any other body as text. */
function parseProblem(body: string): ProblemBody {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      return {
        title: typeof record.title === 'string' ? record.title : undefined,
        detail: typeof record.detail === 'string' ? record.detail : undefined,
        invalidFields: invalidFieldsOf(record.invalid_fields),
      };
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to the text.
  }
  return { detail: body || undefined, invalidFields: [] };
}

function invalidFieldsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((field: unknown) => {
    if (!field || typeof field !== 'object') return [];
    const { field: name, description } = field as Record<string, unknown>;
    if (typeof description !== 'string') return [];
    return [typeof name === 'string' && name ? `${name}: ${description}` : description];
  });
}

function describeProblem(problem: ProblemBody, info: HttpErrorInfo): string {
  const text = problem.invalidFields.length
    ? `${problem.title ?? 'Input validation failed'}: ${problem.invalidFields.join('; ')}`
    : [problem.title, problem.detail].filter(Boolean).join(': ') || info.statusText || 'no details given';
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_DETAIL_CHARS ? `${oneLine.slice(0, MAX_DETAIL_CHARS)}…` : oneLine;
}

function isVersionProblem(problem: ProblemBody): boolean {
  return (
    /invalid version|not permitted/i.test(problem.title ?? '') ||
    /version does not exist|permission to use it|version.*not found/i.test(problem.detail ?? '')
  );
}

function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? 'the request timeout' : `${ms / 1000} s`;
}

const REDACTED = '[redacted]';
// Anything that looks like a bearer credential or a Replicate token, even one we were not told about.
const CREDENTIAL_PATTERNS = [/Bearer\s+[^\s"',;]+/gi, /\br8_[A-Za-z0-9]{8,}\b/g];

/** Removes the given secrets, and anything shaped like a credential, from text bound for errors and logs. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret) redacted = redacted.split(secret).join(REDACTED);
  }
  for (const pattern of CREDENTIAL_PATTERNS) {
    redacted = redacted.replace(pattern, (match) =>
      match.toLowerCase().startsWith('bearer') ? `Bearer ${REDACTED}` : REDACTED,
    );
  }
  return redacted;
}

/** How long to wait after a 429 that names no delay, in neither `Retry-After` nor its detail. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 10_000;

/**
 * How long Replicate asks us to wait when its 429 has no `Retry-After` (read by `src/http/client.ts`), from the
 * words of its detail: "Your rate limit resets in ~30s." or "Expected available in 1 second." → milliseconds.
 */
export function retryDelayFromDetail(detail: string): number | undefined {
  const match =
    /resets in\s*~?\s*(\d+(?:\.\d+)?)\s*s/i.exec(detail) ?? /available in\s*~?\s*(\d+(?:\.\d+)?)\s*sec/i.exec(detail);
  return match ? clampRetryDelay(Number(match[1]) * 1000) : undefined;
}
