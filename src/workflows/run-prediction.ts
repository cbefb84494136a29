import {
  type ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import type { CreatedPrediction, CreateIdentity, RecordedCost } from '../activities/contracts';
import type { ModelPlan } from '../domain/catalogue';
import { createRequestSentOf } from '../domain/create-request';
import { FailureType, clipFailure, isRetryableFailureType } from '../domain/failures';
import { classifyPredictionError } from '../domain/prediction-errors';
import { REPLICATE_REFS, replicateModelName } from '../domain/replicate-refs';
import { isTerminalStatus, type ModelId, type PredictionSnapshot } from '../domain/types';
import { cancelPrediction, createPrediction, getPrediction } from './activity-proxies';
import type { BookingBasis, ClipBudget } from './clip-budget';
import { failureMessageOf, failureTypeOf } from './failures';
import { waitingPhaseOf, type ProgressTracker } from './progress-tracker';
import type { StrayBooking, StraySweeps } from './stray-sweeps';
import type { WebhookSnapshots } from './signals';

export interface PredictionLimits {
  /** How long each prediction may stay `starting` (queued, or a worker booting: not billed), from its create. */
  startLimitMs: number;
  /** How long each prediction may run once it has started: the clip's deadline. */
  runLimitMs: number;
  /** How often a prediction is polled; with a webhook, the create's fallback poll interval instead. */
  pollIntervalMs: number;
}

/** One model branch: the plan its predictions run, and the limits they run under. */
export interface Branch {
  name: 'primary' | 'fallback';
  plan: ModelPlan;
  limits: PredictionLimits;
}

export interface PredictionOutcome {
  /** The model that served the clip: the branch's. */
  model: ModelId;
  prediction: PredictionSnapshot & { outputUrl: string };
  /** The succeeded prediction's booking, made as soon as it ended. */
  cost: RecordedCost;
  /** Predictions created again after a transient failure (`code: PA`, `Director: … (E8765)` and its family). */
  retryCount: number;
  /** Seconds from the branch's first create to the terminal status. */
  generationTime: number;
}

/**
 * How a branch ended. `unserved`: its model could not serve the clip, in a way another model may (its prediction
 * did not start within the start limit, Replicate aborted it before it started, it kept failing for a transient
 * reason until the retries ran out, or the model is unavailable): the fallback model's turn, else the clip fails
 * with `failure`.
 */
export type BranchResult =
  | { kind: 'served'; outcome: PredictionOutcome }
  | { kind: 'unserved'; failure: ApplicationFailure; retryCount: number };

/** How many times a prediction that failed for a transient reason is created again before the branch gives up. */
const MAX_RETRIES = 2;
/** After a cancel, the first wait before looking for the prediction's final (billed) state; it doubles up to the max. */
const CANCEL_CHECK_FIRST_INTERVAL_MS = 2_000;
const CANCEL_CHECK_MAX_INTERVAL_MS = 30_000;
/** How long past its Cancel-After a cancelled prediction is still followed before giving up on its final state. */
const CANCEL_AFTER_GRACE_MS = 60_000;
/** Replicate's own Cancel-After deadline trails ours, so a prediction still stops if this worker is gone. */
const CANCEL_AFTER_MARGIN_SECONDS = 30;

/**
 * Replicate stops the prediction itself this long after its create (`Cancel-After`), in case this worker cannot: the
 * start limit, then the deadline, then a margin, so it never cuts short a prediction the workflow still waits for.
 * A prediction that starts at once and is never cancelled can run (and be billed) this long: the most a time-billed
 * one can cost, and so what its budget reservation holds.
 */
export function cancelAfterSeconds(limits: Pick<PredictionLimits, 'startLimitMs' | 'runLimitMs'>): number {
  return Math.ceil((limits.startLimitMs + limits.runLimitMs) / 1000) + CANCEL_AFTER_MARGIN_SECONDS;
}

type Waited = { kind: 'ended'; prediction: PredictionSnapshot } | { kind: 'not-started'; failure: ApplicationFailure };

/**
 * A branch's predictions: created, waited for with durable timers (woken early by webhooks), cancelled when they
 * outlast their limits, and booked as each one ends. Failures other than `unserved` throw, with the failure types
 * of docs/architecture.md (Failures).
 */
export class PredictionRunner {
  constructor(
    private readonly progress: ProgressTracker,
    private readonly webhooks: WebhookSnapshots,
    private readonly budget: ClipBudget,
    private readonly strays: StraySweeps,
  ) {}

  /** Runs the branch's prediction until one succeeds, creating it again after a transient failure. */
  async run(branch: Branch, basis: BookingBasis): Promise<BranchResult> {
    const { plan } = branch;
    const startedAt = Date.now();
    this.progress.set({ branch: branch.name, model: plan.model, plannedDuration: plan.plannedDuration });

    for (let retryCount = 0; ; retryCount++) {
      const waited = await this.createAndWait(branch, basis, retryCount);
      if (waited.kind === 'not-started') return { kind: 'unserved', failure: waited.failure, retryCount };
      const { prediction } = waited;
      // Replicate bills what ran, whatever comes next: book it before anything else can fail.
      const cost = await this.budget.book(prediction, basis);
      if (prediction.status === 'succeeded') {
        if (!prediction.outputUrl) {
          const reason = prediction.dataRemoved
            ? 'its output was already deleted by Replicate'
            : 'it returned no output';
          throw clipFailure(
            FailureType.Generation,
            `Prediction ${prediction.id} on ${plan.model} succeeded but ${reason}`,
          );
        }
        return {
          kind: 'served',
          outcome: {
            model: plan.model,
            prediction: { ...prediction, outputUrl: prediction.outputUrl },
            cost,
            retryCount,
            generationTime: (Date.now() - startedAt) / 1000,
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
        this.progress.set({ lastError: failure.message });
        return { kind: 'unserved', failure, retryCount };
      }
      if (prediction.status === 'canceled') {
        throw clipFailure(
          FailureType.Generation,
          `Prediction ${prediction.id} on ${plan.model} was canceled outside clipgen`,
        );
      }
      const type = classifyPredictionError(prediction.error ?? '');
      const message = `Prediction ${prediction.id} on ${plan.model} failed: ${prediction.error ?? 'no error given'}`;
      this.progress.set({ lastError: message });
      if (type !== FailureType.Retryable) throw clipFailure(type, message);
      if (retryCount >= MAX_RETRIES) {
        const failure = clipFailure(
          FailureType.Generation,
          `${message} (a transient failure, but ${retryCount + 1} predictions in a row failed so; giving up on ${plan.model})`,
        );
        return { kind: 'unserved', failure, retryCount };
      }
      log.warn('Prediction failed for a transient reason; creating it again', {
        predictionId: prediction.id,
        error: prediction.error,
      });
      // What the failed one cost is booked now: the next prediction must fit beside it.
      await this.budget.reserve(plan, cancelAfterSeconds(branch.limits));
    }
  }

  /**
   * Creates one prediction and waits until it ends, in two phases: `starting` (queued, or a worker booting; not
   * billed) for at most the start limit from the create, then running for at most the deadline from when it is first
   * seen running. One that does not start in time is cancelled (`not-started`); one that does not finish, cancelled
   * with a Timeout; one the clip stops waiting for (cancellation), cancelled too.
   */
  private async createAndWait(branch: Branch, basis: BookingBasis, retryCount: number): Promise<Waited> {
    const { plan, limits } = branch;
    const cancelAfter = cancelAfterSeconds(limits);
    /** The prediction as last seen, once created: what a cancellation has to clean up. */
    let latest: PredictionSnapshot | null = null;
    /** When Replicate's own Cancel-After stops the prediction, whatever happens here. */
    let stopsBy = 0;
    try {
      this.progress.set({ phase: 'creating-prediction', predictionId: null, predictionStatus: null });
      const create: CreateIdentity = {
        model: plan.model,
        input: plan.input,
        idempotencyToken: `${workflowInfo().firstExecutionRunId}-${branch.name}-${retryCount}`,
      };
      const modelName = replicateModelName(REPLICATE_REFS[plan.model]);
      const created = await this.create(create, basis, {
        summary: `create prediction on ${modelName}${retryCount ? ` (again, #${retryCount + 1})` : ''}`,
        cancelAfterSeconds: cancelAfter,
      });
      const createdAt = Date.now();
      stopsBy = createdAt + cancelAfter * 1000;
      this.strays.start(created, create, this.strayBooking(basis));
      let prediction: PredictionSnapshot = created;
      latest = prediction;
      this.progress.startWaiting(createdAt, limits.startLimitMs / 1000);
      this.progress.set({
        phase: waitingPhaseOf(prediction.status),
        predictionId: prediction.id,
        predictionStatus: prediction.status,
      });
      // With a webhook, Replicate wakes us. A lost one is caught by a poll when the clip must act anyway (its start
      // limit, its deadline), so a clip costs the same few actions however long its prediction runs.
      const waitMs = created.webhook
        ? (created.webhook.fallbackPollIntervalMs ?? Number.POSITIVE_INFINITY)
        : limits.pollIntervalMs;
      const startBy = createdAt + limits.startLimitMs;
      let runBy: number | null = null;
      /**
       * The next moment a limit can stop the prediction: its deadline once it is seen running; before that, the
       * deadline it would have had running from its create, then its start limit.
       */
      const nextLimit = (now: number) =>
        runBy ?? (createdAt + limits.runLimitMs > now ? Math.min(startBy, createdAt + limits.runLimitMs) : startBy);

      while (!isTerminalStatus(prediction.status)) {
        const now = Date.now();
        if (prediction.status === 'starting') {
          if (now >= startBy) {
            await this.cancelAndBook(plan.model, basis, prediction.id, stopsBy);
            const failure = clipFailure(
              FailureType.Timeout,
              `Prediction ${prediction.id} on ${plan.model} did not start within ${limits.startLimitMs / 1000} s ` +
                '(queued, or its worker still booting); it was cancelled',
            );
            this.progress.set({ lastError: failure.message });
            return { kind: 'not-started', failure };
          }
        } else {
          // The run is timed from when it is first seen running, never past what Cancel-After leaves it.
          runBy ??= Math.min(now, startBy) + limits.runLimitMs;
          if (now >= runBy) {
            await this.cancelAndBook(plan.model, basis, prediction.id, stopsBy);
            throw clipFailure(
              FailureType.Timeout,
              `Prediction ${prediction.id} on ${plan.model} did not finish within ${limits.runLimitMs / 1000} s of ` +
                'running; it was cancelled',
            );
          }
        }
        const notified = await this.waitForWebhook(prediction.id, Math.min(waitMs, nextLimit(now) - now));
        prediction = notified ?? (await this.poll(prediction));
        latest = prediction;
        if (!isTerminalStatus(prediction.status)) this.progress.set({ phase: waitingPhaseOf(prediction.status) });
      }
      this.progress.set({ predictionStatus: prediction.status });
      return { kind: 'ended', prediction };
    } catch (err) {
      if (isCancellation(err) && latest && !isTerminalStatus(latest.status)) {
        await this.cancelAndBook(plan.model, basis, latest.id, stopsBy);
      }
      throw err;
    }
  }

  /**
   * The create activity. When it does not return a prediction, because the clip is being cancelled or its retries
   * ran out, attempts that got no answer may still become predictions nobody waits for: a sweep cancels and books
   * them.
   */
  private async create(
    create: CreateIdentity,
    basis: BookingBasis,
    { summary, cancelAfterSeconds }: { summary: string; cancelAfterSeconds: number },
  ): Promise<CreatedPrediction> {
    const scheduledAt = Date.now();
    try {
      return await createPrediction.executeWithOptions({ summary }, [{ ...create, cancelAfterSeconds }]);
    } catch (err) {
      // Only a request that left can have become a prediction; one refused before sending (DNS, the image check) cannot.
      if ((isCancellation(err) || isRetryableFailureType(failureTypeOf(err))) && createRequestSentOf(err)) {
        this.strays.startForAbandoned(create, Date.now() - scheduledAt, this.strayBooking(basis));
      }
      throw err;
    }
  }

  private strayBooking(basis: BookingBasis): StrayBooking {
    return (stray) => this.budget.book(stray, basis);
  }

  /** Waits until a webhook reports the prediction finished, or the time is up; returns what the webhook said. */
  private async waitForWebhook(predictionId: string, timeoutMs: number): Promise<PredictionSnapshot | undefined> {
    await condition(() => this.webhooks.terminalOf(predictionId) !== undefined, timeoutMs, {
      summary: 'wait for the prediction (webhook or next poll)',
    });
    return this.webhooks.terminalOf(predictionId);
  }

  /** One poll. A poll that still fails after its retries is not fatal: the deadline bounds the wait. */
  private async poll(current: PredictionSnapshot): Promise<PredictionSnapshot> {
    const pollNumber = this.progress.countPoll();
    const elapsed = Math.round(this.progress.snapshot().elapsedSeconds);
    try {
      const next = await getPrediction.executeWithOptions(
        { summary: `poll ${pollNumber} · ${current.status} · ${elapsed} s` },
        [{ model: current.model, id: current.id }],
      );
      this.progress.set({ predictionStatus: next.status, lastError: null });
      return next;
    } catch (err) {
      if (isCancellation(err) || !isRetryableFailureType(failureTypeOf(err))) throw err;
      this.progress.set({ lastError: failureMessageOf(err) });
      return current;
    }
  }

  /**
   * Cancels in a scope the workflow's own cancellation cannot interrupt, never masking the original error. Replicate
   * may answer a cancel while the prediction still runs (and bills): it is followed until it has stopped, at the
   * latest at its Cancel-After (`stopsBy`), and its final cost booked.
   */
  private async cancelAndBook(
    model: ModelId,
    basis: BookingBasis,
    predictionId: string,
    stopsBy: number,
  ): Promise<void> {
    this.progress.set({ phase: 'cancelling-prediction' });
    await CancellationScope.nonCancellable(async () => {
      let seen: PredictionSnapshot | null = null;
      try {
        seen = await cancelPrediction.executeWithOptions({ summary: `cancel prediction ${predictionId}` }, [
          { model, id: predictionId },
        ]);
      } catch (err) {
        log.error('Could not cancel the prediction; following it until its Cancel-After stops it', {
          predictionId,
          error: failureMessageOf(err),
        });
      }
      const stopped = await this.followUntilStopped(model, predictionId, seen, stopsBy);
      if (!stopped) {
        log.error('A cancelled prediction did not stop; `clipgen reconcile` will show its cost', {
          predictionId,
          status: seen?.status ?? null,
          alert: 'prediction-not-stopped',
        });
        return;
      }
      try {
        await this.budget.book(stopped, basis);
      } catch (err) {
        log.error('Could not book the cost of the cancelled prediction', {
          predictionId,
          error: failureMessageOf(err),
        });
      }
    });
  }

  /**
   * The prediction once it has stopped (its bill is final only then), or null if it still runs after its
   * Cancel-After and a grace period. Checks at growing intervals (2 s, 4 s, … 30 s), woken early by a webhook.
   */
  private async followUntilStopped(
    model: ModelId,
    predictionId: string,
    seen: PredictionSnapshot | null,
    stopsBy: number,
  ): Promise<PredictionSnapshot | null> {
    let latest = seen;
    let intervalMs = CANCEL_CHECK_FIRST_INTERVAL_MS;
    for (let check = 1; !(latest && isTerminalStatus(latest.status)); check++) {
      if (Date.now() >= stopsBy + CANCEL_AFTER_GRACE_MS) return null;
      latest = (await this.waitForWebhook(predictionId, intervalMs)) ?? latest;
      intervalMs = Math.min(intervalMs * 2, CANCEL_CHECK_MAX_INTERVAL_MS);
      if (latest && isTerminalStatus(latest.status)) break;
      try {
        latest = await getPrediction.executeWithOptions(
          { summary: `check cancelled prediction ${predictionId} (${check})` },
          [{ model, id: predictionId }],
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
}
