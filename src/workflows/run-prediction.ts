import {
  type ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { CreatedPrediction, CreateIdentity, RecordedCost } from '../activities/contracts';
import type { ModelPlan } from '../domain/catalogue';
import { FailureType, clipFailure, isRetryableFailureType } from '../domain/failures';
import { REPLICATE_REFS, replicateModelName } from '../domain/replicate-refs';
import type { ClipPhase } from '../domain/progress';
import { isTerminalStatus, type PredictionSnapshot, type PredictionStatus } from '../domain/types';
import { classifyPredictionError } from '../replicate/prediction-errors';
import { replicateCalls } from './activity-proxies';
import { createRequestSentOf } from '../domain/create-request';
import type { ClipBudget } from './clip-budget';
import { failureMessageOf, failureTypeOf } from './failures';
import type { PredictionUpdates } from './prediction-updates';
import type { ProgressTracker } from './progress-tracker';
import type { StrayBooking, StraySweeps } from './stray-sweeps';

export interface PredictionBranch {
  jobId: string;
  clipIndex: number;
  plan: ModelPlan;
  /** The typical cost at the worker's prices, from the branch's reservation: booked when no metric is reported. */
  estimateUsd: string;
  budget: ClipBudget;
  branch: 'primary' | 'fallback';
  pollIntervalMs: number;
  /** How long each prediction may stay `starting` (queued, or a worker booting: not billed), from its create. */
  startLimitMs: number;
  /** How long each prediction may run once it has started: the clip's deadline. */
  runLimitMs: number;
  progress: ProgressTracker;
  updates: PredictionUpdates;
  strays: StraySweeps;
}

export interface PredictionOutcome {
  prediction: PredictionSnapshot & { outputUrl: string };
  /** The succeeded prediction's booking, made as soon as it ended. */
  cost: RecordedCost;
  /** Predictions re-created after a transient failure (`code: PA`, `Director: … (E8765)` and its family). */
  recreated: number;
  /** Seconds from the first create to the terminal status. */
  generationSeconds: number;
}

/**
 * How a branch ended. `unserved`: its model could not serve the clip, in a way another model may (its prediction
 * did not start within the start limit, Replicate aborted it before it started, or it kept failing for a transient
 * reason until the re-creates ran out): the fallback model's turn, else the clip fails with `failure`.
 */
export type BranchResult =
  | { kind: 'served'; outcome: PredictionOutcome }
  | { kind: 'unserved'; failure: ApplicationFailure; recreated: number };

/** How many times a prediction that failed for a transient reason is created again before the branch gives up. */
const MAX_RECREATES = 2;
/** After a cancel, the first wait before looking for the prediction's final (billed) state; it doubles up to the max. */
const CANCEL_CHECK_FIRST_INTERVAL_MS = 2_000;
const CANCEL_CHECK_MAX_INTERVAL_MS = 30_000;
/** How long past its Cancel-After a cancelled prediction is still followed before giving up on its final state. */
const CANCEL_AFTER_GRACE_MS = 60_000;
/** Replicate's own Cancel-After deadline trails ours, so a prediction still stops if this worker is gone. */
const CANCEL_AFTER_MARGIN_SECONDS = 30;

/**
 * One model branch: create the prediction, wait for it with durable timers, and return it once it succeeded, or
 * say that the branch could not serve the clip (BranchResult). Other failures throw, with the failure types of
 * docs/architecture.md (Failures).
 */
export async function runPrediction(branch: PredictionBranch): Promise<BranchResult> {
  const { plan, progress, budget } = branch;
  const startedAt = Date.now();
  progress.update({ branch: branch.branch, model: plan.model, plannedDuration: plan.plannedDuration });

  for (let recreated = 0; ; recreated++) {
    const waited = await createAndWait(branch, recreated);
    if (waited.kind === 'not-started') return { kind: 'unserved', failure: waited.failure, recreated };
    const { prediction } = waited;
    // Replicate bills what ran, whatever comes next: book it before anything else can fail.
    const cost = await budget.book(prediction, bookingBasis(branch));
    if (prediction.status === 'succeeded') {
      if (!prediction.outputUrl) {
        const reason = prediction.dataRemoved ? 'its output was already deleted by Replicate' : 'it returned no output';
        throw clipFailure(
          FailureType.Generation,
          `Prediction ${prediction.id} on ${plan.model} succeeded but ${reason}`,
        );
      }
      return {
        kind: 'served',
        outcome: {
          prediction: { ...prediction, outputUrl: prediction.outputUrl },
          cost,
          recreated,
          generationSeconds: (Date.now() - startedAt) / 1000,
        },
      };
    }
    if (prediction.status === 'aborted') {
      // Replicate's Cancel-After passed while it was still starting (this worker was away past the start limit).
      const failure = clipFailure(
        FailureType.Timeout,
        `Prediction ${prediction.id} on ${plan.model} was aborted before it started: its Cancel-After deadline ` +
          'passed while it was still starting (not billed)',
      );
      progress.update({ lastError: failure.message });
      return { kind: 'unserved', failure, recreated };
    }
    if (prediction.status === 'canceled') {
      throw clipFailure(
        FailureType.Generation,
        `Prediction ${prediction.id} on ${plan.model} was canceled outside clipgen`,
      );
    }
    const type = classifyPredictionError(prediction.error ?? '');
    const message = `Prediction ${prediction.id} on ${plan.model} failed: ${prediction.error ?? 'no error given'}`;
    progress.update({ lastError: message });
    if (type !== FailureType.Retryable) throw clipFailure(type, message);
    if (recreated >= MAX_RECREATES) {
      const failure = clipFailure(
        FailureType.Generation,
        `${message} (a transient failure, but ${recreated + 1} predictions in a row failed so; giving up on ${plan.model})`,
      );
      return { kind: 'unserved', failure, recreated };
    }
    log.warn('Prediction failed for a transient reason; creating it again', {
      predictionId: prediction.id,
      error: prediction.error,
    });
    // What the failed one cost is booked now: the next prediction must fit beside it.
    await budget.reserve(plan, cancelAfterSeconds(branch));
  }
}

/**
 * Replicate stops the prediction itself this long after its create (`Cancel-After`), in case this worker cannot: the
 * start limit, then the deadline, then a margin, so it never cuts short a prediction the workflow still waits for.
 * A prediction that starts at once and is never cancelled can run (and be billed) this long: the most a time-billed
 * one can cost, and so what its budget reservation holds.
 */
export function cancelAfterSeconds(limits: Pick<PredictionBranch, 'startLimitMs' | 'runLimitMs'>): number {
  return Math.ceil((limits.startLimitMs + limits.runLimitMs) / 1000) + CANCEL_AFTER_MARGIN_SECONDS;
}

/** The phase a clip waiting on a prediction in this (non-terminal) status is in. */
export function waitingPhaseOf(status: PredictionStatus): ClipPhase {
  return status === 'starting' ? 'waiting-for-start' : 'waiting-for-prediction';
}

type Waited = { kind: 'ended'; prediction: PredictionSnapshot } | { kind: 'not-started'; failure: ApplicationFailure };

/**
 * Creates one prediction and waits until it ends, in two phases: `starting` (queued, or a worker booting; not billed)
 * for at most the start limit from the create, then running for at most the deadline from when it is first seen
 * running. One that does not start in time is cancelled (`not-started`); one that does not finish, cancelled with
 * a Timeout.
 */
async function createAndWait(branch: PredictionBranch, recreated: number): Promise<Waited> {
  const { plan, progress } = branch;
  const modelName = replicateModelName(REPLICATE_REFS[plan.model]);
  const cancelAfter = cancelAfterSeconds(branch);
  /** The prediction as last seen, once created: what a cancellation has to clean up. */
  let latest: PredictionSnapshot | null = null;
  /** When Replicate's own Cancel-After stops the prediction, whatever happens here. */
  let stopsBy = 0;
  try {
    progress.update({ phase: 'creating-prediction', predictionId: null, predictionStatus: null });
    const create = {
      model: plan.model,
      input: plan.input,
      idempotencyToken: `${workflowInfo().firstExecutionRunId}-${branch.branch}-${recreated}`,
    };
    const created = await createPrediction(branch, create, {
      summary: `create prediction on ${modelName}${recreated ? ` (again, #${recreated + 1})` : ''}`,
      cancelAfterSeconds: cancelAfter,
    });
    const createdAt = Date.now();
    stopsBy = createdAt + cancelAfter * 1000;
    branch.strays.start(created, create, strayBooking(branch));
    let prediction: PredictionSnapshot = created;
    latest = prediction;
    progress.startWaiting(createdAt, branch.startLimitMs / 1000);
    progress.update({
      phase: waitingPhaseOf(prediction.status),
      predictionId: prediction.id,
      predictionStatus: prediction.status,
    });
    // With a webhook, Replicate wakes us; the poll is only a safety net for lost webhooks.
    const waitMs = created.webhook ? created.webhook.fallbackPollIntervalMs : branch.pollIntervalMs;
    const startBy = createdAt + branch.startLimitMs;
    let runBy: number | null = null;

    while (!isTerminalStatus(prediction.status)) {
      const now = Date.now();
      if (prediction.status === 'starting') {
        if (now >= startBy) {
          await cancelQuietly(branch, prediction.id, stopsBy);
          const failure = clipFailure(
            FailureType.Timeout,
            `Prediction ${prediction.id} on ${plan.model} did not start within ${branch.startLimitMs / 1000} s ` +
              '(queued, or its worker still booting); it was cancelled',
          );
          progress.update({ lastError: failure.message });
          return { kind: 'not-started', failure };
        }
      } else {
        // The run is timed from when it is first seen running, never past what Cancel-After leaves it.
        runBy ??= Math.min(now, startBy) + branch.runLimitMs;
        if (now >= runBy) {
          await cancelQuietly(branch, prediction.id, stopsBy);
          throw clipFailure(
            FailureType.Timeout,
            `Prediction ${prediction.id} on ${plan.model} did not finish within ${branch.runLimitMs / 1000} s of ` +
              'running; it was cancelled',
          );
        }
      }
      const notified = await waitForUpdate(branch, prediction.id, Math.min(waitMs, (runBy ?? startBy) - now));
      prediction = notified ?? (await poll(branch, prediction));
      latest = prediction;
      if (!isTerminalStatus(prediction.status)) progress.update({ phase: waitingPhaseOf(prediction.status) });
    }
    progress.update({ predictionStatus: prediction.status });
    return { kind: 'ended', prediction };
  } catch (err) {
    if (isCancellation(err) && latest && !isTerminalStatus(latest.status)) {
      await cancelQuietly(branch, latest.id, stopsBy);
    }
    throw err;
  }
}

/**
 * The create activity. When it does not return a prediction, because the clip is being cancelled or its retries ran
 * out, attempts that got no answer may still become predictions nobody waits for: a sweep cancels and books them.
 */
async function createPrediction(
  branch: PredictionBranch,
  create: CreateIdentity,
  { summary, cancelAfterSeconds }: { summary: string; cancelAfterSeconds: number },
): Promise<CreatedPrediction> {
  const scheduledAt = Date.now();
  try {
    return await replicateCalls.createPrediction.executeWithOptions({ summary }, [{ ...create, cancelAfterSeconds }]);
  } catch (err) {
    // Only a request that left can have become a prediction; one refused before sending (DNS, the image check) cannot.
    if ((isCancellation(err) || isRetryableFailureType(failureTypeOf(err))) && createRequestSentOf(err)) {
      branch.strays.startForAbandoned(create, Date.now() - scheduledAt, strayBooking(branch));
    }
    throw err;
  }
}

function strayBooking(branch: PredictionBranch): StrayBooking {
  return (stray) => branch.budget.book(stray, bookingBasis(branch));
}

/** What a booking falls back on when the prediction's metrics do not say: the branch's estimate and billing variant. */
function bookingBasis({ estimateUsd, plan }: PredictionBranch): { estimateUsd: string; variant: string | null } {
  return { estimateUsd, variant: plan.variant };
}

/** Waits until a webhook reports the prediction finished, or the time is up; returns what the webhook said. */
async function waitForUpdate(
  branch: PredictionBranch,
  predictionId: string,
  timeoutMs: number,
): Promise<PredictionSnapshot | undefined> {
  if (!patched('webhook-signal-wait')) {
    await sleep(timeoutMs);
    return undefined;
  }
  await condition(() => branch.updates.terminalOf(predictionId) !== undefined, timeoutMs, {
    summary: 'wait for the prediction (webhook or next poll)',
  });
  return branch.updates.terminalOf(predictionId);
}

/** One poll. A poll that still fails after its retries is not fatal: the deadline bounds the wait. */
async function poll(branch: PredictionBranch, current: PredictionSnapshot): Promise<PredictionSnapshot> {
  const { progress } = branch;
  const pollNumber = progress.countPoll();
  const elapsed = Math.round(progress.snapshot().elapsedSeconds);
  try {
    const next = await replicateCalls.getPrediction.executeWithOptions(
      { summary: `poll ${pollNumber} · ${current.status} · ${elapsed} s` },
      [{ model: current.model, id: current.id }],
    );
    progress.update({ predictionStatus: next.status, lastError: null });
    return next;
  } catch (err) {
    if (isCancellation(err) || !isRetryableFailureType(failureTypeOf(err))) throw err;
    progress.update({ lastError: failureMessageOf(err) });
    return current;
  }
}

/**
 * Cancels in a scope the workflow's own cancellation cannot interrupt, never masking the original error. Replicate
 * may answer a cancel while the prediction still runs (and bills): it is followed until it has stopped, at the latest
 * at its Cancel-After (`stopsBy`), and its final cost booked.
 */
async function cancelQuietly(branch: PredictionBranch, predictionId: string, stopsBy: number): Promise<void> {
  const { plan, progress } = branch;
  progress.update({ phase: 'cancelling-prediction' });
  await CancellationScope.nonCancellable(async () => {
    let seen: PredictionSnapshot | null = null;
    try {
      seen = await replicateCalls.cancelPrediction.executeWithOptions(
        { summary: `cancel prediction ${predictionId}` },
        [{ model: plan.model, id: predictionId }],
      );
    } catch (err) {
      log.error('Could not cancel the prediction; following it until its Cancel-After stops it', {
        predictionId,
        error: failureMessageOf(err),
      });
    }
    const stopped = await followUntilStopped(branch, predictionId, seen, stopsBy);
    if (!stopped) {
      log.error('A cancelled prediction did not stop; `clipgen reconcile` will show its cost', {
        predictionId,
        status: seen?.status ?? null,
        alert: 'prediction-not-stopped',
      });
      return;
    }
    try {
      await branch.budget.book(stopped, bookingBasis(branch));
    } catch (err) {
      log.error('Could not book the cost of the cancelled prediction', { predictionId, error: failureMessageOf(err) });
    }
  });
}

/**
 * The prediction once it has stopped (its bill is final only then), or null if it still runs after its Cancel-After
 * and a grace period. Checks at growing intervals (2 s, 4 s, … 30 s), woken early by a webhook.
 */
async function followUntilStopped(
  branch: PredictionBranch,
  predictionId: string,
  seen: PredictionSnapshot | null,
  stopsBy: number,
): Promise<PredictionSnapshot | null> {
  let latest = seen;
  let intervalMs = CANCEL_CHECK_FIRST_INTERVAL_MS;
  for (let check = 1; !(latest && isTerminalStatus(latest.status)); check++) {
    if (Date.now() >= stopsBy + CANCEL_AFTER_GRACE_MS) return null;
    latest = (await waitForUpdate(branch, predictionId, intervalMs)) ?? latest;
    intervalMs = Math.min(intervalMs * 2, CANCEL_CHECK_MAX_INTERVAL_MS);
    if (latest && isTerminalStatus(latest.status)) break;
    try {
      latest = await replicateCalls.getPrediction.executeWithOptions(
        { summary: `check cancelled prediction ${predictionId} (${check})` },
        [{ model: branch.plan.model, id: predictionId }],
      );
    } catch (err) {
      log.warn('Could not check the cancelled prediction; trying again', {
        predictionId,
        error: failureMessageOf(err),
      });
    }
  }
  return latest;
}
