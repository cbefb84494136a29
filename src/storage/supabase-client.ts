import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import ws from 'ws';
import { networkFailure, type FailureContext, type StorageErrorReport } from './supabase-failures';
import { timedFetch } from './timed-fetch';

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
