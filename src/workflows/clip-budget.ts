import { ApplicationFailure, CancellationScope, log } from '@temporalio/workflow';
import type { RecordedCost } from '../activities/contracts';
import type { ModelPlan } from '../domain/catalogue';
import { clipFailure, type FailureType } from '../domain/failures';
import { addUsd } from '../domain/money';
import type { BookedPrediction, ClipBookings, PredictionSnapshot } from '../domain/types';
import { reserveBudget, recordClipCost, releaseBudget } from './activity-proxies';
import type { Compensations } from './compensations';
import { failureMessageOf } from './failures';
import type { ProgressTracker } from './progress-tracker';

/** What a booking falls back on when the prediction's metrics do not say: its branch's estimate and billing variant. */
export interface BookingBasis {
  estimateUsd: string;
  variant: string | null;
}

const RESERVATION = 'budget reservation';

/**
 * The clip's money: the reservation it holds against the job's budget and every prediction it booked.
 *
 * A reservation is the most the next prediction can cost, so clips in flight can never spend past the budget
 * together. Every prediction Replicate bills is booked as soon as it ends, before anything else can fail (the
 * output's download, its probe, storage), and the booking is retried until the ledger answers.
 */
export class ClipBudget {
  private readonly booked: BookedPrediction[] = [];

  constructor(
    private readonly jobId: string,
    private readonly clipIndex: number,
    private readonly progress: ProgressTracker,
    private readonly compensations: Compensations,
  ) {}

  /**
   * Reserves what a prediction of this plan can cost at most in `maxRunSeconds` (replacing the clip's earlier
   * reservation) and returns the typical cost, which is what is booked if the prediction reports no metric.
   */
  async reserve(plan: ModelPlan, maxRunSeconds: number): Promise<string> {
    this.progress.set({ phase: 'reserving-budget' });
    // Registered before the call: a reservation the ledger made may be what a failed attempt's lost answer carried
    // (and a refused one frees the clip's earlier reservation, so releasing then is harmless).
    this.compensations.register(RESERVATION, () => this.releaseReservation());
    const status = await reserveBudget.executeWithOptions(
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
   * The basis stands in for what the prediction's metrics do not report.
   */
  async book(prediction: PredictionSnapshot, { estimateUsd, variant }: BookingBasis): Promise<RecordedCost> {
    const { phase } = this.progress.snapshot();
    this.progress.set({ phase: 'recording-cost' });
    const recorded = await CancellationScope.nonCancellable(() =>
      recordClipCost.executeWithOptions({ summary: `book cost of ${prediction.status} prediction ${prediction.id}` }, [
        { jobId: this.jobId, clipIndex: this.clipIndex, prediction, estimateUsd, variant },
      ]),
    );
    if (recorded.applied || recorded.amountUsd !== '0.000000') {
      this.booked.push({
        predictionId: recorded.predictionId,
        model: prediction.model,
        status: recorded.status,
        amountUsd: recorded.amountUsd,
      });
    }
    // The ledger frees the clip's reservation in the same transaction as a succeeded prediction's booking.
    if (prediction.status === 'succeeded') this.compensations.settle(RESERVATION);
    this.progress.set({ phase });
    return recorded;
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

  private async releaseReservation(): Promise<void> {
    try {
      await releaseBudget.executeWithOptions({ summary: `release budget reservation of clip ${this.clipIndex}` }, [
        { jobId: this.jobId, clipIndex: this.clipIndex },
      ]);
    } catch (err) {
      log.error('Could not release the budget reservation', {
        jobId: this.jobId,
        clipIndex: this.clipIndex,
        error: failureMessageOf(err),
      });
    }
  }
}
