import { defineQuery, isCancellation, log, setHandler } from '@temporalio/workflow';
import { chooseModels, getModelSpec, planClip, type ModelPlan } from '../domain/catalogue';
import { FailureType } from '../domain/failures';
import type { ClipProgress } from '../domain/progress';
import type { Clip, GenerateClipInput, ModelId } from '../domain/types';
import { validateGenerateClipInput } from '../domain/validation';
import { msToNumber } from '@temporalio/common/lib/time';
import { ledgerCalls, mediaCalls } from './activity-proxies';
import { asWorkflowFailure, failureMessageOf, failureTypeOf } from './failures';
import { ProgressTracker } from './progress-tracker';
import { runPrediction, type PredictionOutcome } from './run-prediction';

export const progressQuery = defineQuery<ClipProgress>('progress');

const DEFAULT_POLL_INTERVAL = '3s';

/**
 * One clip, from prompt to a stored, probed MP4 whose cost is booked once (DESIGN.md section 4).
 * Fails with an ApplicationFailure whose type is one of DESIGN.md section 5.
 */
export async function generateClipWorkflow(rawInput: GenerateClipInput): Promise<Clip> {
  const progress = new ProgressTracker();
  setHandler(progressQuery, () => progress.snapshot());
  try {
    const clip = await generateClip(rawInput, progress);
    progress.update({ phase: 'succeeded', lastError: null });
    return clip;
  } catch (err) {
    progress.update({ phase: isCancellation(err) ? 'cancelled' : 'failed', lastError: failureMessageOf(err) });
    throw err;
  }
}

async function generateClip(rawInput: GenerateClipInput, progress: ProgressTracker): Promise<Clip> {
  const input = validateGenerateClipInput(rawInput);
  const { jobId, clip } = input;
  const models = chooseModels(input);
  const primaryPlan = planClip(models.primary, clip, input.settings);
  const fallbackPlan = models.fallback ? planFallback(models.fallback, input) : null;
  progress.update({ model: primaryPlan.model, plannedDuration: primaryPlan.plannedDuration });

  let outcome: PredictionOutcome;
  let plan = primaryPlan;
  try {
    await checkBudget(jobId, clip.clipIndex, primaryPlan, progress);
    outcome = await runPrediction(branchOptions(primaryPlan, 'primary', input, progress));
  } catch (err) {
    if (failureTypeOf(err) !== FailureType.ModelUnavailable || !fallbackPlan) throw asWorkflowFailure(err, 'Primary');
    log.warn('Primary model unavailable; switching to the fallback', { primary: models.primary });
    progress.update({ fallbackUsed: true, lastError: failureMessageOf(err) });
    plan = fallbackPlan;
    outcome = await runFallback(jobId, clip.clipIndex, fallbackPlan, input, progress);
  }
  const { prediction } = outcome;

  progress.update({ phase: 'probing' });
  const probed = await mediaCalls.probeVideo
    .executeWithOptions({ summary: `probe output of ${prediction.id}` }, [{ url: prediction.outputUrl }])
    .catch((err) => Promise.reject(asWorkflowFailure(err, 'Probe')));

  progress.update({ phase: 'storing' });
  const stored = await mediaCalls.storeClip
    .executeWithOptions({ summary: `store clip ${clip.clipIndex} → video-clips/${jobId}/clip_${clip.clipIndex}.mp4` }, [
      { jobId, clipIndex: clip.clipIndex, sourceUrl: prediction.outputUrl },
    ])
    .catch((err) => Promise.reject(asWorkflowFailure(err, 'Store')));

  progress.update({ phase: 'recording-cost' });
  const cost = await ledgerCalls.recordClipCost
    .executeWithOptions({ summary: `book cost of ${prediction.id}` }, [
      { jobId, clipIndex: clip.clipIndex, prediction, estimateUsd: plan.estimatedCostUsd },
    ])
    .catch((err) => Promise.reject(asWorkflowFailure(err, 'Cost booking')));

  return {
    clipIndex: clip.clipIndex,
    videoUrl: stored.url,
    storagePath: stored.storagePath,
    actualDuration: probed.duration,
    targetDuration: clip.duration,
    durationDiff: roundTo(probed.duration - clip.duration, 3),
    status: 'success',
    cost: cost.amountUsd,
    costSource: cost.source,
    model: plan.model,
    predictionId: prediction.id,
    fallbackUsed: plan !== primaryPlan,
    retryCount: outcome.recreated,
    generationTime: roundTo(outcome.generationSeconds, 3),
    video: { width: probed.width, height: probed.height, fps: probed.fps, codec: probed.codec, bytes: stored.bytes },
  };
}

/** The fallback branch: its own budget check and its own prediction, visible as such in history. */
async function runFallback(
  jobId: string,
  clipIndex: number,
  plan: ModelPlan,
  input: GenerateClipInput,
  progress: ProgressTracker,
): Promise<PredictionOutcome> {
  try {
    await checkBudget(jobId, clipIndex, plan, progress);
    return await runPrediction(branchOptions(plan, 'fallback', input, progress));
  } catch (err) {
    throw asWorkflowFailure(err, 'Fallback');
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

async function checkBudget(jobId: string, clipIndex: number, plan: ModelPlan, progress: ProgressTracker) {
  progress.update({ phase: 'checking-budget' });
  await ledgerCalls.checkBudget.executeWithOptions(
    { summary: `check budget for ${plan.model} (estimate $${plan.estimatedCostUsd})` },
    [{ jobId, clipIndex, estimateUsd: plan.estimatedCostUsd }],
  );
}

function branchOptions(
  plan: ModelPlan,
  branch: 'primary' | 'fallback',
  input: GenerateClipInput,
  progress: ProgressTracker,
) {
  return {
    plan,
    branch,
    progress,
    pollIntervalMs: msToNumber(input.pollInterval ?? DEFAULT_POLL_INTERVAL),
    deadlineMs:
      input.deadline !== undefined ? msToNumber(input.deadline) : getModelSpec(plan.model).deadlineSeconds * 1000,
  };
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
