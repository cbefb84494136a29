import { ApplicationFailure, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { chooseModels, getModelSpec, planClip, type ModelPlan } from '../domain/catalogue';
import { durationToMs } from '../domain/duration';
import { FailureType, clipFailure } from '../domain/failures';
import { clipWorkflowId, isClipWorkflowId } from '../domain/clip-identity';
import type { Clip, GenerateClipInput, ModelId } from '../domain/types';
import { validateGenerateClipInput } from '../domain/validation';
import { fetchProbeStore } from './activity-proxies';
import { ClipBudget } from './clip-budget';
import { Compensations } from './compensations';
import { clipStep, failureMessageOf } from './failures';
import { ProgressTracker } from './progress-tracker';
import { PredictionRunner, cancelAfterSeconds, type Branch, type BranchResult } from './run-prediction';
import { predictionUpdatedSignal, progressQuery, WebhookSnapshots } from './signals';
import { StraySweeps } from './stray-sweeps';

const DEFAULT_POLL_INTERVAL = '3s';

/**
 * One clip, from prompt to a stored, probed MP4 whose cost is booked once (docs/architecture.md).
 * Fails with an ApplicationFailure whose type says whether retrying can help, and whose details say what it booked.
 */
export async function generateClipWorkflow(rawInput: GenerateClipInput): Promise<Clip> {
  const progress = new ProgressTracker();
  const webhooks = new WebhookSnapshots();
  setHandler(progressQuery, () => progress.snapshot());
  setHandler(predictionUpdatedSignal, (snapshot) => {
    webhooks.record(snapshot);
    progress.showWebhook(snapshot);
  });

  const input = acceptInput(rawInput, progress);
  const { jobId, clip } = input;
  const compensations = new Compensations();
  const budget = new ClipBudget(jobId, clip.clipIndex, progress, compensations);
  const strays = new StraySweeps(progress);
  const predictions = new PredictionRunner(progress, webhooks, budget, strays);
  try {
    const models = chooseModels(input);
    const primaryPlan = planClip(models.primary, clip, input.settings);
    const fallbackPlan = models.fallback ? planFallback(models.fallback, input) : null;
    progress.set({ model: primaryPlan.model, plannedDuration: primaryPlan.plannedDuration });

    let result = await runBranch(branchOf('primary', primaryPlan, input), budget, predictions);
    let primaryRetries = 0;
    if (result.kind === 'unserved') {
      if (!fallbackPlan) throw result.failure;
      log.warn('Primary model could not serve the clip; switching to the fallback', {
        primary: models.primary,
        fallback: fallbackPlan.model,
        reason: failureMessageOf(result.failure),
      });
      progress.set({ fallbackUsed: true, lastError: failureMessageOf(result.failure) });
      primaryRetries = result.retryCount;
      result = await runBranch(branchOf('fallback', fallbackPlan, input), budget, predictions);
      if (result.kind === 'unserved') throw result.failure;
    }
    const { model, prediction, cost, retryCount, generationTime } = result.outcome;

    progress.set({ phase: 'storing' });
    const stored = await clipStep('Output', () =>
      fetchProbeStore.executeWithOptions(
        { summary: `fetch, probe, store clip ${clip.clipIndex} → video-clips/${jobId}/clip_${clip.clipIndex}.mp4` },
        [{ jobId, clipIndex: clip.clipIndex, predictionId: prediction.id, outputUrl: prediction.outputUrl }],
      ),
    );

    await strays.finish();
    progress.set({ phase: 'succeeded', lastError: null });
    return {
      clipIndex: clip.clipIndex,
      videoUrl: stored.url,
      storagePath: stored.storagePath,
      actualDuration: stored.video.duration,
      targetDuration: clip.duration,
      durationDiff: roundTo(stored.video.duration - clip.duration, 3),
      status: 'success',
      cost: cost.amountUsd,
      costSource: cost.source,
      model,
      predictionId: prediction.id,
      fallbackUsed: model !== primaryPlan.model,
      retryCount: primaryRetries + retryCount,
      generationTime: roundTo(generationTime, 3),
      video: {
        width: stored.video.width,
        height: stored.video.height,
        fps: stored.video.fps,
        codec: stored.video.codec,
        bytes: stored.bytes,
        sha256: stored.sha256,
      },
      bookings: budget.bookings(),
    };
  } catch (err) {
    await strays.finish();
    progress.set({ phase: isCancellation(err) ? 'cancelled' : 'failed', lastError: failureMessageOf(err) });
    await compensations.run();
    throw budget.withBookings(err);
  }
}

/** The validated input, whose job id is canonical; a refused input fails the clip before anything is spent. */
function acceptInput(rawInput: GenerateClipInput, progress: ProgressTracker): GenerateClipInput {
  try {
    const input = validateGenerateClipInput(rawInput);
    requireOneWorkflowPerClip(input);
    return input;
  } catch (err) {
    progress.set({ phase: 'failed', lastError: failureMessageOf(err) });
    throw err;
  }
}

/**
 * One (job, clip) is one workflow: a workflow id of the clip shape must be the clip's canonical id, so that a start
 * by hand (`temporal workflow start --workflow-id clip-AAAA…-0`) cannot run a second prediction beside `clip-aaaa…-0`.
 */
function requireOneWorkflowPerClip(input: GenerateClipInput): void {
  const { workflowId } = workflowInfo();
  const expected = clipWorkflowId(input.jobId, input.clip.clipIndex);
  if (isClipWorkflowId(workflowId) && workflowId !== expected) {
    throw clipFailure(
      FailureType.InvalidInput,
      `workflow id ${workflowId} does not name this clip's one workflow: start job ${input.jobId}, clip ` +
        `${input.clip.clipIndex} as ${expected} (job ids are lowercase UUIDs)`,
    );
  }
}

/** A fallback that cannot reach the target duration is dropped rather than failing a clip the primary may make. */
function planFallback(model: ModelId, input: GenerateClipInput): ModelPlan | null {
  try {
    return planClip(model, input.clip, input.settings);
  } catch (err) {
    log.info('Fallback model cannot take this clip; running without a fallback', {
      fallback: model,
      reason: failureMessageOf(err),
    });
    return null;
  }
}

/** A branch's limits: the input's, else its model's catalogue start limit (to start) and deadline (to run). */
function branchOf(name: Branch['name'], plan: ModelPlan, input: GenerateClipInput): Branch {
  const spec = getModelSpec(plan.model);
  return {
    name,
    plan,
    limits: {
      startLimitMs: input.startLimit !== undefined ? durationToMs(input.startLimit) : spec.startLimitSeconds * 1000,
      runLimitMs: input.deadline !== undefined ? durationToMs(input.deadline) : spec.deadlineSeconds * 1000,
      pollIntervalMs: durationToMs(input.pollInterval ?? DEFAULT_POLL_INTERVAL),
    },
  };
}

/**
 * One model branch: reserve the most its prediction can cost (the fallback's reservation replaces the primary's),
 * then create the prediction, wait for it and book it. The fallback is its own branch, with its own prediction,
 * visible as such in history. An unavailable model leaves the clip unserved, for the fallback to take.
 */
async function runBranch(branch: Branch, budget: ClipBudget, predictions: PredictionRunner): Promise<BranchResult> {
  try {
    return await clipStep(branch.name === 'primary' ? 'Primary' : 'Fallback', async () => {
      // Time-billed: a prediction that starts at once may run until its Cancel-After, all of which is reserved.
      const estimateUsd = await budget.reserve(branch.plan, cancelAfterSeconds(branch.limits));
      return predictions.run(branch, { estimateUsd, variant: branch.plan.variant });
    });
  } catch (failure) {
    if (failure instanceof ApplicationFailure && failure.type === FailureType.ModelUnavailable) {
      return { kind: 'unserved', failure, retryCount: 0 };
    }
    throw failure;
  }
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
