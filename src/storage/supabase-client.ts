/**
 * The supabase-js client clipgen opens (server-side, every request timed and cancellable), what its errors report,
 * and the bucket it may create.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import ws from 'ws';
import type { StorageUrlMode } from './supabase';
import {
  failureFromReport,
  networkFailure,
  StorageTimeoutError,
  type FailureContext,
  type StorageErrorReport,
} from './supabase-failures';

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

export interface SupabaseConnection {
  url: string;
  serviceRoleKey: string;
  /** Per HTTP request, body included. */
  requestTimeoutMs: number;
}

/**
 * A server-side supabase-js client: no session, no token refresh, every request timed. Node 20 has no global
 * WebSocket and supabase-js 2.100+ needs one to construct a client, so `ws` is passed even though only Storage is
 * used.
 */
export function openSupabaseClient(connection: SupabaseConnection): SupabaseClient {
  return createClient(connection.url, connection.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws as unknown as RealtimeTransport },
    global: { fetch: timedFetch(connection.requestTimeoutMs) },
  });
}

/** The `error` of a supabase-js storage result, as our report; null for network errors (StorageUnknownError). */
export function reportOf(error: unknown): StorageErrorReport | null {
  const storageError = error as { name?: string; status?: unknown; statusCode?: unknown; message?: unknown };
  if (storageError?.name !== 'StorageApiError') return null;
  const status = typeof storageError.status === 'number' ? storageError.status : undefined;
  return {
    status,
    code: typeof storageError.statusCode === 'string' ? storageError.statusCode : String(status ?? 500),
    message: typeof storageError.message === 'string' ? storageError.message : 'unknown error',
  };
}

/** A StorageUnknownError's real cause (the fetch rejection), as a classified RetryableError. */
export function unknownErrorFailure(error: unknown, context: FailureContext) {
  const original = (error as { originalError?: unknown })?.originalError;
  return networkFailure(original ?? error, context);
}

const callerSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/**
 * Runs `operation` so that every request the timed fetch sends on its behalf is also aborted by `signal`. This is
 * how a caller's cancellation reaches supabase-js calls, which take no signal of their own.
 */
export function withSignal<T>(signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
  return callerSignal.run(signal, operation);
}

/**
 * A fetch that gives up after `timeoutMs` (rejecting with StorageTimeoutError) and honours the signal of the
 * surrounding `withSignal` call as well as its own.
 */
export function timedFetch(timeoutMs: number): typeof fetch {
  return async (input, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout, init.signal, callerSignal.getStore()].filter((signal): signal is AbortSignal => !!signal);
    try {
      return await fetch(input, { ...init, signal: AbortSignal.any(signals) });
    } catch (error) {
      if (timeout.aborted && !signals.some((signal) => signal !== timeout && signal.aborted)) {
        throw new StorageTimeoutError(timeoutMs);
      }
      throw error;
    }
  };
}

export interface EnsureBucketOptions extends SupabaseConnection {
  bucket: string;
  urlMode: StorageUrlMode;
}

/**
 * Creates the bucket when it is missing (STORAGE_CREATE_BUCKET=true, for development and tests): private unless
 * the URL mode is public, accepting only video/mp4. An existing bucket is kept as it is, but a private one cannot
 * serve public URLs, so that combination is refused here rather than handing out URLs that answer 400.
 */
export async function ensureSupabaseBucket(options: EnsureBucketOptions): Promise<'exists' | 'created'> {
  const storage = openSupabaseClient(options).storage;
  const context = { doing: `checking bucket "${options.bucket}"`, bucket: options.bucket };
  const found = await storage.getBucket(options.bucket);
  if (!found.error) {
    if (options.urlMode === 'public' && !found.data.public) {
      throw new Error(
        `STORAGE_URL_MODE=public, but bucket "${options.bucket}" is private: make it public or use STORAGE_URL_MODE=signed`,
      );
    }
    return 'exists';
  }
  const report = reportOf(found.error);
  if (!report) throw unknownErrorFailure(found.error, context);
  if (report.code !== '404') throw failureFromReport(report, context);

  const created = await storage.createBucket(options.bucket, {
    public: options.urlMode === 'public',
    allowedMimeTypes: ['video/mp4'],
  });
  if (!created.error) return 'created';
  const createReport = reportOf(created.error);
  if (createReport?.code === '409') return 'exists';
  const createContext = { ...context, doing: `creating bucket "${options.bucket}"` };
  throw createReport
    ? failureFromReport(createReport, createContext)
    : unknownErrorFailure(created.error, createContext);
}
