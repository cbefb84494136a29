import { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure } from '../domain/failures';

/** A driver error reduced to what is safe to show: a scrubbed message and the server's SQLSTATE, if any. */
export class DatabaseFailure extends Error {
  override readonly name = 'DatabaseFailure';

  constructor(
    message: string,
    /** Null when the server never answered: refused, timed out, connection lost, pool closed. */
    readonly sqlState: string | null,
  ) {
    super(message);
  }
}

/** The ledger's schema is behind this code's migrations, and applying them was not asked for. */
export class LedgerNotMigratedError extends Error {
  override readonly name = 'LedgerNotMigratedError';

  constructor(readonly pending: string[]) {
    super(
      `The cost ledger lacks ${pending.length} migration(s) (${pending.join(', ')}): run "clipgen migrate" ` +
        `(or supabase db push), or let the worker apply them with LEDGER_MIGRATE_ON_START=true`,
    );
  }
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi;
const KEYWORD_PASSWORD = /\b(password\s*=\s*)('[^']*'|[^\s&]+)/gi;

/** Removes the given secrets, and any password written in a URL or as `password=…`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret) scrubbed = scrubbed.split(secret).join('***');
  }
  return scrubbed.replace(URL_PASSWORD, '$1***@').replace(KEYWORD_PASSWORD, '$1***');
}

/** The password of a connection string in every spelling an error message might repeat it. */
export function passwordsOf(connectionString: string): string[] {
  try {
    const url = new URL(connectionString);
    const spellings = [url.password, url.searchParams.get('password') ?? ''];
    return [...new Set(spellings.flatMap((raw) => [raw, safeDecode(raw)]).filter((secret) => secret !== ''))];
  } catch {
    return [];
  }
}

export function toDatabaseFailure(error: unknown, secrets: readonly string[]): Error {
  if (error instanceof DatabaseFailure || error instanceof ApplicationFailure) return error;
  return new DatabaseFailure(scrubSecrets(describeError(error), secrets), sqlStateOf(error));
}

/**
 * The failure an activity throws for a ledger error. Only the server's verdict that the data is wrong
 * (SQLSTATE class 22, 23) or that we may not connect (28, 42501) is final; anything else, above all a
 * database we cannot reach, is worth retrying because booking is idempotent.
 */
export function ledgerFailure(error: unknown, action: string): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const failure = toDatabaseFailure(error, []) as DatabaseFailure;
  const sqlState = failure.sqlState;
  const suffix = sqlState ? ` [SQLSTATE ${sqlState}]` : '';
  return clipFailure(failureTypeOf(sqlState), `Cost ledger could not ${action}: ${failure.message}${suffix}`, {
    details: [{ sqlState }],
  });
}

function failureTypeOf(sqlState: string | null): FailureType {
  const errorClass = sqlState?.slice(0, 2);
  if (errorClass === '22' || errorClass === '23') return FailureType.InvalidInput;
  if (errorClass === '28' || sqlState === '42501') return FailureType.Authentication;
  return FailureType.Retryable;
}

function sqlStateOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  // Node's network errors also carry a `code` (ECONNREFUSED); only server errors carry a severity.
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** Realm-agnostic: under Jest, PGlite's errors come from Node's realm, not the sandbox's `Error`. */
function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, errors, code, name } = error as {
    message?: unknown;
    errors?: unknown;
    code?: unknown;
    name?: unknown;
  };
  if (typeof message === 'string' && message !== '') return message;
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  const parts = Array.isArray(errors) ? errors.map(describeError) : [];
  return parts.join('; ') || (typeof code === 'string' ? code : typeof name === 'string' ? name : 'unknown error');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
