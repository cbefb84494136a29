import { proxyActivities } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../domain/failures';
import type { ClipActivities } from '../activities';

/**
 * One proxy per activity, or per activities with the same needs, each typed over just those activities: none can
 * be called under another's timeouts. Every retry policy stops at once on the failure types that say retrying
 * cannot help.
 */
type Only<Names extends keyof ClipActivities> = Pick<ClipActivities, Names>;

const nonRetryableErrorTypes = NON_RETRYABLE_FAILURE_TYPES;

/** Calls to Replicate: one HTTP attempt per activity attempt, so Temporal's backoff is the only retry loop. */
export const { createPrediction, getPrediction, cancelPrediction } = proxyActivities<
  Only<'createPrediction' | 'getPrediction' | 'cancelPrediction'>
>({
  startToCloseTimeout: '45 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 6,
    nonRetryableErrorTypes,
  },
});

/** The sweep for stray predictions: minutes at most, a heartbeat after each sweep's few Replicate calls. */
export const { sweepStrayPredictions } = proxyActivities<Only<'sweepStrayPredictions'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes,
  },
});

/**
 * Fetch, probe and store the output: one activity, so that the bytes probed on this worker's disk are the bytes
 * stored. A long transfer that heartbeats (a ticker covers the probe and slow upload chunks), so a dead worker is
 * noticed within the heartbeat timeout and the next attempt resumes from its checkpoint.
 */
export const { fetchProbeStore } = proxyActivities<Only<'fetchProbeStore'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
});

/**
 * The budget reservation before a prediction and the release of an unused reservation: nothing is spent
 * yet, so a ledger outage may fail the clip (retryably).
 */
export const { reserveBudget, releaseBudget } = proxyActivities<Only<'reserveBudget' | 'releaseBudget'>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 12,
    nonRetryableErrorTypes,
  },
});

/**
 * Booking a prediction Replicate billed: retried until the ledger answers, however long it is down (no attempt
 * limit; the activity raises an operator alert after a few failures). Only an invalid booking stops it.
 */
export const { recordClipCost } = proxyActivities<Only<'recordClipCost'>>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes,
  },
});
