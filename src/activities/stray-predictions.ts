import { Context, log, type Info } from '@temporalio/activity';
import { isTerminalStatus, type PredictionSnapshot } from '../domain/types';
import type { ReplicateGateway } from '../replicate/gateway';
import { inputIdentifiesCreate } from '../replicate/idempotency';
import type { AbandonedCreateWatch, StrayWatch, SweepStrayPredictionsInput } from './contracts';

/** How far back and forward to look for predictions a create's attempts made. */

/** Replicate's clock and ours may disagree by a little; a prediction stamped slightly "early" is still ours. */
export const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

/**
 * How long after an attempt an abandoned earlier one may still become a prediction, in request timeouts. One that
 * timed out was sent a request timeout before the next attempt began: it is given about three in all.
 */
export const STRAY_WINDOW_REQUEST_TIMEOUTS = 2;

/** After the window closes, how many more sweeps wait for cancelled strays to reach their final (billed) state. */
const CONFIRMATION_SWEEPS = 5;

interface SweepDetails {
  strayIds: string[];
}

/** Often enough that a stray is cancelled seconds after it appears; rarely enough to stay a few list calls. */
export function sweepIntervalMs(requestTimeoutMs: number): number {
  return Math.min(5_000, Math.max(1_000, Math.round(requestTimeoutMs / 6)));
}

export function strayPredictionActivities(deps: { replicate: ReplicateGateway }) {
  const { replicate } = deps;
  return {
    /**
     * Until the stray window closes, lists the predictions this create made and cancels every one but the kept
     * prediction (all of them when the create never returned); then waits (a few sweeps at most) for them to stop.
     * Only predictions that are surely this create's are touched (an echoed token, or an input only it sends: see
     * src/replicate/idempotency.ts), never another clip's.
     * Returns each stray as last seen, so the workflow can book what Replicate bills for it. Heartbeats every
     * sweep; a retry carries on with the strays an earlier attempt found.
     */
    async sweepStrayPredictions({
      create,
      keepId,
      watch: given,
    }: SweepStrayPredictionsInput): Promise<PredictionSnapshot[]> {
      const context = Context.current();
      const watch = 'untilMs' in given ? given : abandonedCreateWindow(given, context.info, replicate.requestTimeoutMs);
      const signal = context.cancellationSignal;
      const strays = new Map<string, PredictionSnapshot>();
      for (const id of strayIdsOf(context.info.heartbeatDetails)) {
        strays.set(id, await replicate.getPrediction(create.model, id, signal));
      }
      if (!inputIdentifiesCreate(create) && context.info.attempt === 1) {
        // The user's seed, or a model without one: an identical clip sends the same input (idempotency.ts).
        log.warn(
          'Strays of this create can be told from other clips’ predictions only by an echoed webhook token; ' +
            'any other is left alone (`clipgen reconcile` lists it)',
          { model: create.model, keptPredictionId: keepId },
        );
      }
      const intervalMs = sweepIntervalMs(replicate.requestTimeoutMs);
      for (let sweepsAfterWindow = 0; ; ) {
        for (const found of await replicate.findAttempts(create, watch.createdAfterMs, signal)) {
          if (found.id === keepId) continue;
          if (!strays.has(found.id)) {
            log.warn('A create left a prediction the clip does not use; cancelling it', {
              predictionId: found.id,
              status: found.status,
              keptPredictionId: keepId,
            });
          }
          strays.set(found.id, found);
        }
        for (const [id, stray] of strays) {
          if (!isTerminalStatus(stray.status)) {
            strays.set(id, await replicate.cancelPrediction(create.model, id, signal));
          }
        }
        context.heartbeat({ strayIds: [...strays.keys()] } satisfies SweepDetails);
        const windowClosed = Date.now() >= watch.untilMs;
        if (windowClosed) sweepsAfterWindow += 1;
        const allStopped = [...strays.values()].every((stray) => isTerminalStatus(stray.status));
        if (windowClosed && (allStopped || sweepsAfterWindow > CONFIRMATION_SWEEPS)) break;
        await context.sleep(windowClosed ? intervalMs : Math.min(intervalMs, watch.untilMs - Date.now()));
      }
      return [...strays.values()];
    },
  };
}

/**
 * The window of a create that never returned: from `lookBackMs` before this sweep was first scheduled (the create's
 * first attempt) until two request timeouts after that. The server's clock measures how long ago that was, so a
 * retried sweep keeps the same window.
 */
function abandonedCreateWindow({ lookBackMs }: AbandonedCreateWatch, info: Info, requestTimeoutMs: number): StrayWatch {
  const firstAttemptAtMs = Date.now() - (info.currentAttemptScheduledTimestampMs - info.scheduledTimestampMs);
  return {
    createdAfterMs: firstAttemptAtMs - lookBackMs - CLOCK_SKEW_ALLOWANCE_MS,
    untilMs: firstAttemptAtMs + STRAY_WINDOW_REQUEST_TIMEOUTS * requestTimeoutMs,
  };
}

function strayIdsOf(details: unknown): string[] {
  const ids = (details as Partial<SweepDetails> | undefined)?.strayIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}
