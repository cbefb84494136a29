import { ApplicationFailure, CancellationScope, log } from '@temporalio/workflow';
import type { RecordedCost } from '../activities/contracts';
import type { ModelPlan } from '../domain/catalogue';
import { clipFailure, type FailureType } from '../domain/failures';
import { addUsd } from '../domain/money';
import type { BookedPrediction, ClipBookings } from '../domain/types';
import type { PredictionSnapshot } from '../domain/types';
import { bookingCalls, budgetCalls } from './activity-proxies';
import { failureMessageOf } from './failures';
import type { ProgressTracker } from './progress-tracker';

/**
 * The clip's money: the reservation it holds against the job's budget and every prediction it booked.
 *
 * A reservation is the most the next prediction can cost, so clips in flight can never spend past the budget
 * together. Every prediction Replicate bills is booked as soon as it ends, before anything else can fail (the
 * output's download, its probe, storage), and the booking is retried until the ledger answers.
 */
export class ClipBudget {
  private readonly booked: BookedPrediction[] = [];
  private holdsReservation = false;

  constructor(
    private readonly jobId: string,
    private readonly clipIndex: number,
    private readonly progress: ProgressTracker,
  ) {}

  /**
   * Reserves what a prediction of this plan can cost at most in `maxRunSeconds` (replacing the clip's earlier
   * reservation) and returns the typical cost, which is what is booked if the prediction reports no metric.
   */
  async reserve(plan: ModelPlan, maxRunSeconds: number): Promise<string> {
    this.progress.update({ phase: 'checking-budget' });
    // A refused check frees any earlier reservation of the clip too, so holding is true from the first call on.
    this.holdsReservation = true;
    const status = await budgetCalls.checkBudget.executeWithOptions(
      { summary: `reserve budget for ${plan.model} (at most ${maxRunSeconds} s)` },
      [
        {
          jobId: this.jobId,
          clipIndex: this.clipIndex,
          plan: { model: plan.model, plannedDuration: plan.plannedDuration, variant: plan.variant },
          maxRunSeconds,
        },
      ],
    );
    return status.estimateUsd;
  }

  /**
   * Books a finished prediction, once, whatever the clip does next; the workflow's cancellation cannot interrupt it.
   * A succeeded prediction's booking also frees the clip's reservation (in the same ledger transaction). The plan's
   * estimate and billing variant stand in for what the prediction's metrics do not report.
   */
  async book(
    prediction: PredictionSnapshot,
    { estimateUsd, variant }: { estimateUsd: string; variant: string | null },
  ): Promise<RecordedCost> {
    const phase = this.progress.snapshot().phase;
    this.progress.update({ phase: 'recording-cost' });
    const recorded = await CancellationScope.nonCancellable(() =>
      bookingCalls.recordClipCost.executeWithOptions(
        { summary: `book cost of ${prediction.status} prediction ${prediction.id}` },
        [{ jobId: this.jobId, clipIndex: this.clipIndex, prediction, estimateUsd, variant }],
      ),
    );
    if (recorded.applied || recorded.amountUsd !== '0.000000') {
      this.booked.push({
        predictionId: recorded.predictionId,
        model: prediction.model,
        status: recorded.status,
        amountUsd: recorded.amountUsd,
      });
    }
    if (prediction.status === 'succeeded') this.holdsReservation = false;
    this.progress.update({ phase });
    return recorded;
  }

  /** Frees the reservation of a clip that ends without a succeeded booking, even while it is being cancelled. */
  async release(): Promise<void> {
    if (!this.holdsReservation) return;
    await CancellationScope.nonCancellable(async () => {
      try {
        await budgetCalls.releaseBudget.executeWithOptions(
          { summary: `release budget reservation of clip ${this.clipIndex}` },
          [{ jobId: this.jobId, clipIndex: this.clipIndex }],
        );
        this.holdsReservation = false;
      } catch (err) {
        log.error('Could not release the budget reservation', {
          jobId: this.jobId,
          clipIndex: this.clipIndex,
          error: failureMessageOf(err),
        });
      }
    });
  }

  /** What the clip booked: its own prediction and any failed, canceled or stray ones Replicate billed. */
  bookings(): ClipBookings {
    return {
      totalUsd: this.booked.reduce((total, booking) => addUsd(total, booking.amountUsd), '0.000000'),
      predictions: this.booked.map((booking) => ({ ...booking })),
    };
  }

  /** The clip's failure, carrying what it booked in its details, so a parent knows what the failed clip cost. */
  withBookings(err: unknown): unknown {
    if (!(err instanceof ApplicationFailure) || this.booked.length === 0) return err;
    return clipFailure(err.type as FailureType, err.message, {
      details: [...(err.details ?? []), { bookings: this.bookings() }],
      cause: err.cause,
      nextRetryDelay: err.nextRetryDelay ?? undefined,
    });
  }
}
