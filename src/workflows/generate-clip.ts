import { CancellationScope, isCancellation, log, patched, setHandler } from '@temporalio/workflow';
import { chooseModels, getModelSpec, planClip, type ModelPlan } from '../domain/catalogue';
import { FailureType } from '../domain/failures';
import type { Clip, GenerateClipInput, ModelId } from '../domain/types';
import { validateGenerateClipInput } from '../domain/validation';
import { msToNumber } from '@temporalio/common/lib/time';
import { ledgerCalls, mediaCalls } from './activity-proxies';
import { asWorkflowFailure, failureMessageOf, failureTypeOf } from './failures';
import { PredictionUpdates } from './prediction-updates';
import { ProgressTracker } from './progress-tracker';
import { runPrediction, type PredictionBranch, type PredictionOutcome } from './run-prediction';
import { progressQuery } from './signals';
import { StraySweeps } from './stray-sweeps';

const DEFAULT_POLL_INTERVAL = '3s';

/**
 * One clip, from prompt to a stored, probed MP4 whose cost is booked once (DESIGN.md section 4).
 * Fails with an ApplicationFailure whose type is one of DESIGN.md section 5.
 */
export async function generateClipWorkflow(rawInput: GenerateClipInput): Promise<Clip> {
  const progress = new ProgressTracker();
  const context: ClipContext = {
    progress,
    updates: new PredictionUpdates().listen((snapshot) => {
      if (snapshot.id === progress.snapshot().predictionId) progress.update({ predictionStatus: snapshot.status });
    }),
    budgetHeld: false,
    strays: new StraySweeps(),
  };
  setHandler(progressQuery, () => context.progress.snapshot());
  try {
    const clip = await generateClip(rawInput, context);
    await finishStraySweeps(context);
    context.progress.update({ phase: 'succeeded', lastError: null });
    return clip;
  } catch (err) {
    await finishStraySweeps(context);
    context.progress.update({ phase: isCancellation(err) ? 'cancelled' : 'failed', lastError: failureMessageOf(err) });
    if (context.budgetHeld) await releaseBudget(rawInput.jobId, rawInput.clip.clipIndex);
    throw err;
  }
}

/** A clip ends only once no stray prediction of its creates can still appear or run unbooked. */
async function finishStraySweeps(context: ClipContext): Promise<void> {
  if (!context.strays.pending) return;
  context.progress.update({ phase: 'sweeping-strays' });
  await context.strays.finish();
}

/** What the clip's steps share: its progress, the webhooks received, its stray sweeps, and any budget it holds. */
interface ClipContext {
  progress: ProgressTracker;
  updates: PredictionUpdates;
  budgetHeld: boolean;
  strays: StraySweeps;
}

async function generateClip(rawInput: GenerateClipInput, context: ClipContext): Promise<Clip> {
  const { progress } = context;
  const input = validateGenerateClipInput(rawInput);
  const { jobId, clip } = input;
  const models = chooseModels(input);
  const primaryPlan = planClip(models.primary, clip, input.settings);
  const fallbackPlan = models.fallback ? planFallback(models.fallback, input) : null;
  progress.update({ model: primaryPlan.model, plannedDuration: primaryPlan.plannedDuration });

  let outcome: PredictionOutcome;
  let plan = primaryPlan;
  try {
    const estimateUsd = await checkBudget(jobId, clip.clipIndex, primaryPlan, context);
    outcome = await runPrediction(branchOptions(primaryPlan, estimateUsd, 'primary', input, context));
  } catch (err) {
    if (failureTypeOf(err) !== FailureType.ModelUnavailable || !fallbackPlan) throw asWorkflowFailure(err, 'Primary');
    log.warn('Primary model unavailable; switching to the fallback', { primary: models.primary });
    progress.update({ fallbackUsed: true, lastError: failureMessageOf(err) });
    plan = fallbackPlan;
    outcome = await runFallback(fallbackPlan, input, context);
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
      { jobId, clipIndex: clip.clipIndex, prediction, estimateUsd: outcome.estimateUsd },
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
  plan: ModelPlan,
  input: GenerateClipInput,
  context: ClipContext,
): Promise<PredictionOutcome> {
  try {
    const estimateUsd = await checkBudget(input.jobId, input.clip.clipIndex, plan, context);
    return await runPrediction(branchOptions(plan, estimateUsd, 'fallback', input, context));
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

/**
 * Reserves the clip's estimate against the job's budget (a second call, for the fallback, replaces it) and
 * returns the estimate reserved, which is at the worker's prices when it overrides the catalogue's.
 */
async function checkBudget(jobId: string, clipIndex: number, plan: ModelPlan, context: ClipContext): Promise<string> {
  context.progress.update({ phase: 'checking-budget' });
  context.budgetHeld = true;
  const status = await ledgerCalls.checkBudget.executeWithOptions(
    { summary: `reserve budget for ${plan.model} (estimate $${plan.estimatedCostUsd})` },
    [
      {
        jobId,
        clipIndex,
        estimateUsd: plan.estimatedCostUsd,
        plan: { model: plan.model, plannedDuration: plan.plannedDuration },
      },
    ],
  );
  return status.estimateUsd;
}

/** Frees the reservation of a clip that ends without a booking, even when the workflow is being cancelled. */
async function releaseBudget(jobId: string, clipIndex: number): Promise<void> {
  if (!patched('release-budget-reservation')) return;
  await CancellationScope.nonCancellable(async () => {
    try {
      await ledgerCalls.releaseBudget.executeWithOptions(
        { summary: `release budget reservation of clip ${clipIndex}` },
        [{ jobId, clipIndex }],
      );
    } catch (err) {
      log.error('Could not release the budget reservation', { jobId, clipIndex, error: failureMessageOf(err) });
    }
  });
}

function branchOptions(
  plan: ModelPlan,
  estimateUsd: string,
  branch: 'primary' | 'fallback',
  input: GenerateClipInput,
  context: ClipContext,
): PredictionBranch {
  return {
    jobId: input.jobId,
    clipIndex: input.clip.clipIndex,
    plan,
    estimateUsd,
    branch,
    progress: context.progress,
    updates: context.updates,
    strays: context.strays,
    pollIntervalMs: msToNumber(input.pollInterval ?? DEFAULT_POLL_INTERVAL),
    deadlineMs:
      input.deadline !== undefined ? msToNumber(input.deadline) : getModelSpec(plan.model).deadlineSeconds * 1000,
  };
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
