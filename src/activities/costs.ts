/**
 * reserveBudget, recordClipCost and releaseBudget: the job's budget before a prediction is created, its
 * cost after, and the reservation of a clip that ends without a booking.
 */
import { Context, log } from '@temporalio/activity';
import { billedClipCost } from '../domain/billing';
import { checkPriceOverrides, type PriceOverrides } from '../domain/catalogue';
import { FailureType, clipFailure } from '../domain/failures';
import { addUsd, compareUsd, formatUsd, isUsd, parseUsd } from '../domain/money';
import { estimateClipCostUsd, reservationUsd } from '../domain/pricing';
import type { CostLedger, ReservationResult } from '../ledger/types';
import type {
  BudgetStatus,
  ReserveBudgetInput,
  RecordClipCostInput,
  RecordedCost,
  ReleaseBudgetInput,
} from './contracts';

export interface CostActivityDeps {
  ledger: CostLedger;
  /** USD unit prices replacing the catalogue's, per model or per `model:variant`. */
  priceOverrides?: PriceOverrides;
}

export function costActivities(deps: CostActivityDeps) {
  const { ledger, priceOverrides = {} } = deps;
  requireLedgerPrices(priceOverrides);
  checkPriceOverrides(priceOverrides);

  return {
    /**
     * Reserves the most the clip's next prediction can cost against the job's budget, counting what is booked and
     * what the job's other clips hold; a second call for the same clip replaces its reservation. Throws
     * BudgetExceeded (and holds nothing for the clip) when it does not fit. Both are priced at the plan's billing
     * variant (without one, at the model's dearest).
     */
    async reserveBudget(input: ReserveBudgetInput): Promise<BudgetStatus> {
      const { model, plannedDuration, variant } = input.plan;
      const estimateUsd = estimateClipCostUsd(model, plannedDuration, priceOverrides, variant);
      const amountUsd = reservationUsd(model, plannedDuration, input.maxRunSeconds, priceOverrides, variant);
      const result = await ledger.reserveBudget({ jobId: input.jobId, clipIndex: input.clipIndex, amountUsd });
      const status: BudgetStatus = {
        budgetUsd: result.budgetUsd,
        bookedUsd: result.bookedUsd,
        reservedUsd: result.reservedUsd,
        reservationUsd: amountUsd,
        estimateUsd,
      };
      if (!result.granted) {
        throw clipFailure(FailureType.BudgetExceeded, budgetExceededMessage(input, amountUsd, result), {
          details: [status],
        });
      }
      return status;
    },

    /** Deletes the clip's reservation (a clip that failed or was cancelled); does nothing when there is none. */
    async releaseBudget(input: ReleaseBudgetInput): Promise<void> {
      const released = await ledger.releaseBudget(input.jobId, input.clipIndex);
      log.info(released ? 'Budget reservation released' : 'No budget reservation to release', { ...input });
    },

    /**
     * Books what Replicate bills for the prediction, once; a retry after the booking committed books nothing
     * more. A succeeded prediction frees the clip's reservation; a canceled or failed one that ran is booked
     * but leaves the reservation, since the clip may go on (the workflow calls releaseBudget when it ends).
     * An aborted prediction, or one stopped before it ran, is not billed and books nothing.
     */
    async recordClipCost(input: RecordClipCostInput): Promise<RecordedCost> {
      try {
        return await book(input);
      } catch (error) {
        alertWhenLedgerStaysDown(input, error);
        throw error;
      }
    },
  };

  async function book(input: RecordClipCostInput): Promise<RecordedCost> {
    const { prediction } = input;
    const estimateUsd = formatUsd(parseUsd(input.estimateUsd));
    const plannedVariant = input.variant;
    const cost = billedClipCost(prediction, estimateUsd, priceOverrides, plannedVariant);
    if (cost === null) {
      const job = await ledger.getJob(input.jobId);
      log.info('Prediction not billed by Replicate; nothing booked', {
        predictionId: prediction.id,
        status: prediction.status,
      });
      return {
        predictionId: prediction.id,
        status: prediction.status,
        amountUsd: formatUsd(0n),
        source: 'actual',
        applied: false,
        jobTotalUsd: job?.totalCost ?? '0.000000',
      };
    }
    const booking = await ledger.bookClipCost({
      jobId: input.jobId,
      clipIndex: input.clipIndex,
      predictionId: prediction.id,
      model: prediction.model,
      amountUsd: cost.amountUsd,
      estimateUsd,
      source: cost.source,
      predictTimeSeconds: prediction.predictTime,
      billingMetric: cost.billingMetric,
      unitPriceUsd: cost.unitPriceUsd,
      billingVariant: cost.billingVariant,
      predictionStatus: cost.predictionStatus,
      priceSource: cost.priceSource,
      releaseReservation: prediction.status === 'succeeded',
    });
    if (plannedVariant !== null && cost.billingVariant !== plannedVariant) {
      // Booked at what Replicate says it ran; the plan (and so the reservation) assumed another price.
      log.warn('Prediction billed as another variant than planned', {
        jobId: input.jobId,
        clipIndex: input.clipIndex,
        predictionId: prediction.id,
        plannedVariant,
        billingVariant: cost.billingVariant,
      });
    }
    if (!booking.applied && compareUsd(booking.amountUsd, cost.amountUsd) !== 0) {
      // The booked amount stands (it is what the job's total holds); a price change in between is the usual cause.
      log.warn('Clip cost already booked with a different amount', {
        jobId: input.jobId,
        clipIndex: input.clipIndex,
        predictionId: prediction.id,
        bookedUsd: booking.amountUsd,
        recomputedUsd: cost.amountUsd,
      });
    }
    return {
      predictionId: prediction.id,
      status: prediction.status,
      amountUsd: booking.amountUsd,
      source: cost.source,
      applied: booking.applied,
      jobTotalUsd: booking.totalCost,
    };
  }
}

/** A booking is retried until the ledger is back; past a few minutes of failures, operators must hear of it. */
const ALERT_AFTER_ATTEMPTS = 5;

function alertWhenLedgerStaysDown(input: RecordClipCostInput, error: unknown): void {
  const { attempt } = Context.current().info;
  if (attempt < ALERT_AFTER_ATTEMPTS) return;
  log.error('Cost booking keeps failing; it is retried until the ledger answers', {
    alert: 'ledger-booking-stalled',
    jobId: input.jobId,
    clipIndex: input.clipIndex,
    predictionId: input.prediction.id,
    attempt,
    error: error instanceof Error ? error.message : String(error),
  });
}

function budgetExceededMessage(input: ReserveBudgetInput, amountUsd: string, result: ReservationResult): string {
  const projectedUsd = addUsd(addUsd(result.bookedUsd, result.reservedUsd), amountUsd);
  const inFlight = result.reservingClips === 1 ? '1 other clip' : `${result.reservingClips} other clips`;
  return (
    `Clip ${input.clipIndex} of job ${input.jobId} would exceed the job's budget of ${result.budgetUsd} USD: ` +
    `${result.bookedUsd} USD booked + ${result.reservedUsd} USD reserved by ${inFlight} in flight + ` +
    `this clip's reservation of ${amountUsd} USD (the most its prediction can cost) = ${projectedUsd} USD`
  );
}

/** The ledger stores unit prices as numeric(12,6): a finer override would fail every booking, so fail at start. */
function requireLedgerPrices(priceOverrides: PriceOverrides): void {
  for (const [model, price] of Object.entries(priceOverrides)) {
    if (price !== undefined && !isUsd(price)) {
      throw clipFailure(
        FailureType.InvalidInput,
        `priceOverrides.${model} must be a USD price with at most 6 decimals, such as "0.001400" (got ${JSON.stringify(price)})`,
      );
    }
  }
}
