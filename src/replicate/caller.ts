import type Replicate from 'replicate';
import {
  classifyHttpError,
  classifyNetworkError,
  classifyReplicateError,
  type ReplicateCallContext,
} from './classify-error';
import { createSingleAttemptClient, type ReplicateClientConfig } from './client';
import type { AttemptFailure } from './single-attempt-fetch';

export type Attempt<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      failure: AttemptFailure | null;
      error: unknown;
      context: ReplicateCallContext;
      /** 0 when the attempt failed before its request went out (fetch was never called). */
      requestsSent: number;
    };

export interface ReplicateCaller {
  /** One HTTP request through a fresh single-attempt client; never throws, so callers can inspect a failure. */
  attempt<T>(
    context: ReplicateCallContext,
    extraHeaders: Record<string, string>,
    run: (client: Replicate) => Promise<T>,
  ): Promise<Attempt<T>>;
  /** One HTTP request; throws the classified failure (or the caller's abort reason). */
  call<T>(
    context: ReplicateCallContext,
    signal: AbortSignal | undefined,
    extraHeaders: Record<string, string>,
    run: (client: Replicate) => Promise<T>,
  ): Promise<T>;
}

export function createReplicateCaller(config: ReplicateClientConfig, now: () => number): ReplicateCaller {
  const attempt: ReplicateCaller['attempt'] = async (context, extraHeaders, run) => {
    const single = createSingleAttemptClient(config, extraHeaders);
    try {
      return { ok: true, value: await run(single.client) };
    } catch (error) {
      const secrets = [single.token, config.apiToken];
      const fullContext = { ...context, secrets, timeoutMs: single.timeoutMs, nowMs: now() };
      return { ok: false, failure: single.failure(), error, context: fullContext, requestsSent: single.requestsSent() };
    }
  };
  return {
    attempt,
    async call(context, signal, extraHeaders, run) {
      const outcome = await attempt(context, extraHeaders, run);
      if (outcome.ok) return outcome.value;
      throw failureOf(outcome, signal);
    },
  };
}

/** What to throw for a failed attempt: the classified real outcome, not the client's view of it. */
export function failureOf(attempt: Extract<Attempt<unknown>, { ok: false }>, signal: AbortSignal | undefined): unknown {
  // The caller (Temporal's activity cancellation) gave up: report its reason, not a network error.
  if (signal?.aborted) return signal.reason ?? attempt.error;
  const { failure, context } = attempt;
  if (failure?.kind === 'http') return classifyHttpError(failure, context);
  if (failure?.kind === 'network') return classifyNetworkError(failure.error, context);
  if (failure?.kind === 'refused') return classifyReplicateError(new Error(failure.reason), context);
  return classifyReplicateError(attempt.error, context);
}
