import { proxyActivities } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../domain/failures';
import type { createActivities } from '../activities';

type ClipActivities = ReturnType<typeof createActivities>;

const nonRetryableErrorTypes = NON_RETRYABLE_FAILURE_TYPES;

/** Calls to Replicate: one HTTP attempt per activity attempt, so Temporal's backoff is the only retry loop. */
export const replicateCalls = proxyActivities<ClipActivities>({
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
export const sweepCalls = proxyActivities<ClipActivities>({
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

/** Downloads and uploads: long transfers heartbeat, so a dead worker is noticed within the heartbeat timeout. */
export const mediaCalls = proxyActivities<ClipActivities>({
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

/** Ledger calls: short, but retried for longer so a database restart does not lose a paid-for clip. */
export const ledgerCalls = proxyActivities<ClipActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 12,
    nonRetryableErrorTypes,
  },
});
