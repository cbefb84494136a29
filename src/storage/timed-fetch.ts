import { AsyncLocalStorage } from 'node:async_hooks';
import { StorageTimeoutError } from './supabase-failures';

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
