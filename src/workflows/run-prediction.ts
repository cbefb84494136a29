import { CancellationScope, isCancellation, log, sleep, workflowInfo } from '@temporalio/workflow';
import type { ModelPlan } from '../domain/catalogue';
import { FailureType, clipFailure, isRetryableFailureType } from '../domain/failures';
import { REPLICATE_REFS, replicateModelName } from '../domain/replicate-refs';
import { isTerminalStatus, type PredictionSnapshot } from '../domain/types';
import { classifyPredictionError } from '../replicate/prediction-errors';
import { replicateCalls } from './activity-proxies';
import { failureMessageOf, failureTypeOf } from './failures';
import type { ProgressTracker } from './progress-tracker';

export interface PredictionBranch {
  plan: ModelPlan;
  branch: 'primary' | 'fallback';
  pollIntervalMs: number;
  /** Measured from this branch's first create. */
  deadlineMs: number;
  progress: ProgressTracker;
}

export interface PredictionOutcome {
  prediction: PredictionSnapshot & { outputUrl: string };
  /** Predictions re-created after a retryable prediction failure (e.g. Replicate's `code: PA` interruption). */
  recreated: number;
  /** Seconds from the first create to the terminal status. */
  generationSeconds: number;
}

/** How many times a prediction that failed for a retryable reason is created again before giving up. */
const MAX_RECREATES = 2;
/** Replicate's own Cancel-After deadline trails ours, so a prediction still stops if this worker is gone. */
const CANCEL_AFTER_MARGIN_SECONDS = 30;

/**
 * One model branch: create the prediction, wait for it with durable timers, and return it once it
 * succeeded. Fails with the failure type of DESIGN.md section 5.
 */
export async function runPrediction(branch: PredictionBranch): Promise<PredictionOutcome> {
  const { plan, progress } = branch;
  const startedAt = Date.now();
  const deadlineAt = startedAt + branch.deadlineMs;
  progress.update({ branch: branch.branch, model: plan.model, plannedDuration: plan.plannedDuration });

  for (let recreated = 0; ; recreated++) {
    const prediction = await createAndWait(branch, deadlineAt, recreated);
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
  }
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
    let prediction = await replicateCalls.createPrediction.executeWithOptions(
      { summary: `create prediction on ${modelName}${recreated ? ` (again, #${recreated + 1})` : ''}` },
      [
        {
          model: plan.model,
          input: plan.input,
          idempotencyToken: `${workflowInfo().firstExecutionRunId}-${branch.branch}-${recreated}`,
          cancelAfterSeconds: Math.ceil((deadlineAt - Date.now()) / 1000) + CANCEL_AFTER_MARGIN_SECONDS,
        },
      ],
    );
    latest = prediction;
    progress.update({
      phase: 'waiting-for-prediction',
      predictionId: prediction.id,
      predictionStatus: prediction.status,
    });

    while (!isTerminalStatus(prediction.status)) {
      const remainingMs = deadlineAt - Date.now();
      if (remainingMs <= 0) {
        await cancelQuietly(branch, prediction.id);
        throw clipFailure(
          FailureType.Timeout,
          `Prediction ${prediction.id} on ${plan.model} did not finish within ${branch.deadlineMs / 1000} s; it was cancelled`,
        );
      }
      await sleep(Math.min(branch.pollIntervalMs, remainingMs), { summary: 'wait before the next poll' });
      prediction = await poll(branch, prediction);
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

/** Cancels in a scope the workflow's own cancellation cannot interrupt, and never masks the original error. */
async function cancelQuietly(branch: PredictionBranch, predictionId: string): Promise<void> {
  branch.progress.update({ phase: 'cancelling-prediction' });
  await CancellationScope.nonCancellable(async () => {
    try {
      await replicateCalls.cancelPrediction.executeWithOptions({ summary: `cancel prediction ${predictionId}` }, [
        { model: branch.plan.model, id: predictionId },
      ]);
    } catch (err) {
      log.error('Could not cancel prediction', { predictionId, error: failureMessageOf(err) });
    }
  });
}
