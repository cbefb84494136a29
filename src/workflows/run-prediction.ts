import { CancellationScope, condition, isCancellation, log, patched, sleep, workflowInfo } from '@temporalio/workflow';
import type { CreatedPrediction, CreateIdentity, RecordedCost } from '../activities/contracts';
import type { ModelPlan } from '../domain/catalogue';
import { FailureType, clipFailure, isRetryableFailureType } from '../domain/failures';
import { REPLICATE_REFS, replicateModelName } from '../domain/replicate-refs';
import { isTerminalStatus, type PredictionSnapshot } from '../domain/types';
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
  /** Measured from this branch's first create. */
  deadlineMs: number;
  progress: ProgressTracker;
  updates: PredictionUpdates;
  strays: StraySweeps;
}

export interface PredictionOutcome {
  prediction: PredictionSnapshot & { outputUrl: string };
  /** The succeeded prediction's booking, made as soon as it ended. */
  cost: RecordedCost;
  /** Predictions re-created after a retryable prediction failure (e.g. Replicate's `code: PA` interruption). */
  recreated: number;
  /** Seconds from the first create to the terminal status. */
  generationSeconds: number;
}

/** How many times a prediction that failed for a retryable reason is created again before giving up. */
const MAX_RECREATES = 2;
/** After a cancel, how often and how many times to look for the prediction's final (billed) state. */
const CANCEL_CONFIRMATION_CHECKS = 5;
const CANCEL_CONFIRMATION_INTERVAL_MS = 2_000;
/** Replicate's own Cancel-After deadline trails ours, so a prediction still stops if this worker is gone. */
const CANCEL_AFTER_MARGIN_SECONDS = 30;

/**
 * One model branch: create the prediction, wait for it with durable timers, and return it once it
 * succeeded. Fails with the failure type of DESIGN.md section 5.
 */
export async function runPrediction(branch: PredictionBranch): Promise<PredictionOutcome> {
  const { plan, progress, budget } = branch;
  const startedAt = Date.now();
  const deadlineAt = startedAt + branch.deadlineMs;
  progress.update({ branch: branch.branch, model: plan.model, plannedDuration: plan.plannedDuration });

  for (let recreated = 0; ; recreated++) {
    const prediction = await createAndWait(branch, deadlineAt, recreated);
    // Replicate bills what ran, whatever comes next: book it before anything else can fail.
    const cost = await budget.book(prediction, branch.estimateUsd);
    if (prediction.status === 'succeeded') {
      if (!prediction.outputUrl) {
        const reason = prediction.dataRemoved ? 'its output was already deleted by Replicate' : 'it returned no output';
        throw clipFailure(
          FailureType.Generation,
          `Prediction ${prediction.id} on ${plan.model} succeeded but ${reason}`,
        );
      }
      return {
        prediction: { ...prediction, outputUrl: prediction.outputUrl },
        cost,
        recreated,
        generationSeconds: (Date.now() - startedAt) / 1000,
      };
    }
    if (prediction.status === 'aborted') {
      throw clipFailure(
        FailureType.Timeout,
        `Prediction ${prediction.id} on ${plan.model} was aborted by its deadline`,
      );
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
    if (type !== FailureType.Retryable || recreated >= MAX_RECREATES || Date.now() >= deadlineAt) {
      throw clipFailure(type === FailureType.Retryable ? FailureType.Generation : type, message);
    }
    log.warn('Prediction failed for a retryable reason; creating it again', { predictionId: prediction.id });
    // What the failed one cost is booked now: the next prediction must fit beside it.
    await budget.reserve(plan, cancelAfterSeconds(deadlineAt));
  }
}

/**
 * Replicate stops the prediction itself this long after the create (`Cancel-After`), in case this worker cannot:
 * what a time-billed prediction can run at most, and so what its budget reservation holds.
 */
export function cancelAfterSeconds(deadlineAt: number): number {
  return Math.max(0, Math.ceil((deadlineAt - Date.now()) / 1000)) + CANCEL_AFTER_MARGIN_SECONDS;
}

async function createAndWait(
  branch: PredictionBranch,
  deadlineAt: number,
  recreated: number,
): Promise<PredictionSnapshot> {
  const { plan, progress } = branch;
  const modelName = replicateModelName(REPLICATE_REFS[plan.model]);
  /** The prediction as last seen, once created: what a cancellation has to clean up. */
  let latest: PredictionSnapshot | null = null;
  try {
    progress.update({ phase: 'creating-prediction', predictionId: null, predictionStatus: null });
    const create = {
      model: plan.model,
      input: plan.input,
      idempotencyToken: `${workflowInfo().firstExecutionRunId}-${branch.branch}-${recreated}`,
    };
    const created = await createPrediction(branch, create, {
      summary: `create prediction on ${modelName}${recreated ? ` (again, #${recreated + 1})` : ''}`,
      cancelAfterSeconds: cancelAfterSeconds(deadlineAt),
    });
    branch.strays.start(created, create, strayBooking(branch));
    let prediction: PredictionSnapshot = created;
    latest = prediction;
    progress.update({
      phase: 'waiting-for-prediction',
      predictionId: prediction.id,
      predictionStatus: prediction.status,
    });
    // With a webhook, Replicate wakes us; the poll is only a safety net for lost webhooks.
    const waitMs = created.webhook ? created.webhook.fallbackPollIntervalMs : branch.pollIntervalMs;

    while (!isTerminalStatus(prediction.status)) {
      const remainingMs = deadlineAt - Date.now();
      if (remainingMs <= 0) {
        await cancelQuietly(branch, prediction.id);
        throw clipFailure(
          FailureType.Timeout,
          `Prediction ${prediction.id} on ${plan.model} did not finish within ${branch.deadlineMs / 1000} s; it was cancelled`,
        );
      }
      const notified = await waitForUpdate(branch, prediction.id, Math.min(waitMs, remainingMs));
      prediction = notified ?? (await poll(branch, prediction));
      latest = prediction;
    }
    progress.update({ predictionStatus: prediction.status });
    return prediction;
  } catch (err) {
    if (isCancellation(err) && latest && !isTerminalStatus(latest.status)) {
      await cancelQuietly(branch, latest.id);
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

function strayBooking({ budget, estimateUsd }: PredictionBranch): StrayBooking {
  return (stray) => budget.book(stray, estimateUsd);
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
 * Cancels in a scope the workflow's own cancellation cannot interrupt, never masking the original error. A
 * prediction that ran before it was cancelled is billed by Replicate, so its cost is booked too.
 */
async function cancelQuietly(branch: PredictionBranch, predictionId: string): Promise<void> {
  const { plan, progress } = branch;
  progress.update({ phase: 'cancelling-prediction' });
  await CancellationScope.nonCancellable(async () => {
    try {
      let cancelled = await replicateCalls.cancelPrediction.executeWithOptions(
        { summary: `cancel prediction ${predictionId}` },
        [{ model: plan.model, id: predictionId }],
      );
      // Replicate may answer a cancel before the prediction has stopped; its bill is final only once it has.
      for (let check = 1; !isTerminalStatus(cancelled.status) && check <= CANCEL_CONFIRMATION_CHECKS; check++) {
        await sleep(CANCEL_CONFIRMATION_INTERVAL_MS);
        cancelled = await replicateCalls.getPrediction.executeWithOptions(
          { summary: `check cancelled prediction ${predictionId} (${check})` },
          [{ model: plan.model, id: predictionId }],
        );
      }
      if (isTerminalStatus(cancelled.status)) await branch.budget.book(cancelled, branch.estimateUsd);
    } catch (err) {
      log.error('Could not cancel the prediction or book its cost', { predictionId, error: failureMessageOf(err) });
    }
  });
}
