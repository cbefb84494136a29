import { type ApplicationFailure, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { chooseModels, getModelSpec, planClip, type ModelPlan } from '../domain/catalogue';
import { FailureType, clipFailure } from '../domain/failures';
import { clipWorkflowId, isClipWorkflowId } from '../domain/job-id';
import { isTerminalStatus, type Clip, type GenerateClipInput, type ModelId } from '../domain/types';
import { validateGenerateClipInput } from '../domain/validation';
import { msToNumber } from '@temporalio/common/lib/time';
import { outputCalls } from './activity-proxies';
import { ClipBudget } from './clip-budget';
import { asWorkflowFailure, failureMessageOf, failureTypeOf } from './failures';
import { PredictionUpdates } from './prediction-updates';
import { ProgressTracker } from './progress-tracker';
import { cancelAfterSeconds, runPrediction, waitingPhaseOf, type BranchResult } from './run-prediction';
import { progressQuery } from './signals';
import { StraySweeps } from './stray-sweeps';

const DEFAULT_POLL_INTERVAL = '3s';

/**
 * One clip, from prompt to a stored, probed MP4 whose cost is booked once (docs/architecture.md).
 * Fails with an ApplicationFailure whose type says whether retrying can help, and whose details say what it booked.
 */
export async function generateClipWorkflow(rawInput: GenerateClipInput): Promise<Clip> {
  const progress = new ProgressTracker();
  setHandler(progressQuery, () => progress.snapshot());
  const input = acceptInput(rawInput, progress);
  const context: ClipContext = {
    progress,
    updates: new PredictionUpdates().listen((snapshot) => {
      const { predictionId, phase } = progress.snapshot();
      if (snapshot.id !== predictionId) return;
      const waiting = phase === 'waiting-for-start' || phase === 'waiting-for-prediction';
      progress.update({
        predictionStatus: snapshot.status,
        ...(waiting && !isTerminalStatus(snapshot.status) ? { phase: waitingPhaseOf(snapshot.status) } : {}),
      });
    }),
    budget: new ClipBudget(input.jobId, input.clip.clipIndex, progress),
    strays: new StraySweeps(),
  };
  try {
    const clip = await generateClip(input, context);
    await finishStraySweeps(context);
    context.progress.update({ phase: 'succeeded', lastError: null });
    return { ...clip, bookings: context.budget.bookings() };
  } catch (err) {
    await finishStraySweeps(context);
    context.progress.update({ phase: isCancellation(err) ? 'cancelled' : 'failed', lastError: failureMessageOf(err) });
    await context.budget.release();
    throw context.budget.withBookings(err);
  }
}

/** The validated input, whose job id is canonical; a refused input fails the clip before anything is spent. */
function acceptInput(rawInput: GenerateClipInput, progress: ProgressTracker): GenerateClipInput {
  try {
    const input = validateGenerateClipInput(rawInput);
    requireOneWorkflowPerClip(input);
    return input;
  } catch (err) {
    progress.update({ phase: 'failed', lastError: failureMessageOf(err) });
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

/** A clip ends only once no stray prediction of its creates can still appear or run unbooked. */
async function finishStraySweeps(context: ClipContext): Promise<void> {
  if (!context.strays.pending) return;
  context.progress.update({ phase: 'sweeping-strays' });
  await context.strays.finish();
}

/** What the clip's steps share: its progress, the webhooks received, its money and its stray sweeps. */
interface ClipContext {
  progress: ProgressTracker;
  updates: PredictionUpdates;
  budget: ClipBudget;
  strays: StraySweeps;
}

async function generateClip(input: GenerateClipInput, context: ClipContext): Promise<Omit<Clip, 'bookings'>> {
  const { progress } = context;
  const { jobId, clip } = input;
  const models = chooseModels(input);
  const primaryPlan = planClip(models.primary, clip, input.settings);
  const fallbackPlan = models.fallback ? planFallback(models.fallback, input) : null;
  progress.update({ model: primaryPlan.model, plannedDuration: primaryPlan.plannedDuration });

  let plan = primaryPlan;
  let result: BranchResult;
  try {
    result = await runBranch(primaryPlan, 'primary', input, context);
  } catch (err) {
    if (failureTypeOf(err) !== FailureType.ModelUnavailable || !fallbackPlan) throw asWorkflowFailure(err, 'Primary');
    // An ApplicationFailure, or an activity's failure with one as its cause (failureTypeOf found its type).
    result = { kind: 'unserved', failure: asWorkflowFailure(err, 'Primary') as ApplicationFailure, recreated: 0 };
  }
  // The fallback's turn: the primary model is unavailable, its prediction could not start in time (or was aborted
  // before it started), or it kept failing for a transient reason until the re-creates ran out.
  let recreated = 0;
  if (result.kind === 'unserved') {
    if (!fallbackPlan) throw asWorkflowFailure(result.failure, 'Primary');
    log.warn('Primary model could not serve the clip; switching to the fallback', {
      primary: models.primary,
      fallback: fallbackPlan.model,
      reason: failureMessageOf(result.failure),
    });
    progress.update({ fallbackUsed: true, lastError: failureMessageOf(result.failure) });
    recreated = result.recreated;
    plan = fallbackPlan;
    result = await runBranch(fallbackPlan, 'fallback', input, context).catch((fallbackErr) =>
      Promise.reject(asWorkflowFailure(fallbackErr, 'Fallback')),
    );
    if (result.kind === 'unserved') throw asWorkflowFailure(result.failure, 'Fallback');
  }
  const { outcome } = result;
  const { prediction, cost } = outcome;

  progress.update({ phase: 'storing' });
  const stored = await outputCalls.fetchProbeStore
    .executeWithOptions(
      { summary: `fetch, probe, store clip ${clip.clipIndex} → video-clips/${jobId}/clip_${clip.clipIndex}.mp4` },
      [{ jobId, clipIndex: clip.clipIndex, predictionId: prediction.id, outputUrl: prediction.outputUrl }],
    )
    .catch((err) => Promise.reject(asWorkflowFailure(err, 'Output')));

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
    model: plan.model,
    predictionId: prediction.id,
    fallbackUsed: plan !== primaryPlan,
    retryCount: recreated + outcome.recreated,
    generationTime: roundTo(outcome.generationSeconds, 3),
    video: {
      width: stored.video.width,
      height: stored.video.height,
      fps: stored.video.fps,
      codec: stored.video.codec,
      bytes: stored.bytes,
      sha256: stored.sha256,
    },
  };
}

/**
 * One model branch: reserve the most its prediction can cost, then create and wait for it. The fallback is its own
 * branch, with its own reservation (replacing the primary's) and its own prediction, visible as such in history.
 * Its limits: the input's, else the model's catalogue start limit (to start) and deadline (to run).
 */
async function runBranch(
  plan: ModelPlan,
  branch: 'primary' | 'fallback',
  input: GenerateClipInput,
  context: ClipContext,
): Promise<BranchResult> {
  const spec = getModelSpec(plan.model);
  const limits = {
    startLimitMs: input.startLimit !== undefined ? msToNumber(input.startLimit) : spec.startLimitSeconds * 1000,
    runLimitMs: input.deadline !== undefined ? msToNumber(input.deadline) : spec.deadlineSeconds * 1000,
  };
  // Time-billed: a prediction that starts at once may run until its Cancel-After, all of which is reserved.
  const estimateUsd = await context.budget.reserve(plan, cancelAfterSeconds(limits));
  return runPrediction({
    jobId: input.jobId,
    clipIndex: input.clip.clipIndex,
    plan,
    estimateUsd,
    branch,
    budget: context.budget,
    progress: context.progress,
    updates: context.updates,
    strays: context.strays,
    pollIntervalMs: msToNumber(input.pollInterval ?? DEFAULT_POLL_INTERVAL),
    ...limits,
  });
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

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
