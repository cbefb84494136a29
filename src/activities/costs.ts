/** checkBudget and recordClipCost: the job's budget before a prediction is created, its cost after. */
import { log } from '@temporalio/activity';
import { actualClipCost } from '../domain/catalogue';
import { FailureType, clipFailure } from '../domain/failures';
import { addUsd, compareUsd, formatUsd, isUsd, parseUsd } from '../domain/money';
import type { ModelId } from '../domain/types';
import type { CostLedger } from '../ledger/types';
import type { BudgetStatus, CheckBudgetInput, RecordClipCostInput, RecordedCost } from './contracts';

export interface CostActivityDeps {
  ledger: CostLedger;
  /** USD unit prices replacing the catalogue's, per model. */
  priceOverrides?: Partial<Record<ModelId, string>>;
}

export function costActivities(deps: CostActivityDeps) {
  const { ledger, priceOverrides = {} } = deps;
  requireLedgerPrices(priceOverrides);

  return {
    /** Throws BudgetExceeded when the job has a budget and this clip's estimate would take it past it. */
    async checkBudget(input: CheckBudgetInput): Promise<BudgetStatus> {
      const estimateUsd = formatUsd(parseUsd(input.estimateUsd));
      await ledger.ensureJob(input.jobId);
      const job = await ledger.getJob(input.jobId);
      if (!job) {
        throw clipFailure(FailureType.Retryable, `Job ${input.jobId} was deleted while its budget was checked`);
      }
      const status: BudgetStatus = { budgetUsd: job.budgetUsd, bookedUsd: job.totalCost };
      const projectedUsd = addUsd(job.totalCost, estimateUsd);
      if (job.budgetUsd !== null && compareUsd(projectedUsd, job.budgetUsd) > 0) {
        throw clipFailure(
          FailureType.BudgetExceeded,
          `Clip ${input.clipIndex} of job ${input.jobId} would exceed the job's budget of ${job.budgetUsd} USD: ` +
            `${job.totalCost} USD booked + this clip's estimate of ${estimateUsd} USD = ${projectedUsd} USD`,
          { details: [{ ...status, estimateUsd }] },
        );
      }
      return status;
    },

    /** Books the prediction's cost once; a retry after the booking committed books nothing more. */
    async recordClipCost(input: RecordClipCostInput): Promise<RecordedCost> {
      const { prediction } = input;
      const cost = actualClipCost(prediction.model, prediction, input.estimateUsd, priceOverrides);
      const booking = await ledger.bookClipCost({
        jobId: input.jobId,
        clipIndex: input.clipIndex,
        predictionId: prediction.id,
        model: prediction.model,
        amountUsd: cost.amountUsd,
        estimateUsd: formatUsd(parseUsd(input.estimateUsd)),
        source: cost.source,
        predictTimeSeconds: prediction.predictTime,
        billingMetric: cost.billingMetric,
        unitPriceUsd: cost.unitPriceUsd,
      });
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
        amountUsd: booking.amountUsd,
        source: cost.source,
        applied: booking.applied,
        jobTotalUsd: booking.totalCost,
      };
    },
  };
}

/** The ledger stores unit prices as numeric(12,6): a finer override would fail every booking, so fail at start. */
function requireLedgerPrices(priceOverrides: Partial<Record<ModelId, string>>): void {
  for (const [model, price] of Object.entries(priceOverrides)) {
    if (price !== undefined && !isUsd(price)) {
      throw clipFailure(
        FailureType.InvalidInput,
        `priceOverrides.${model} must be a USD price with at most 6 decimals, such as "0.001400" (got ${JSON.stringify(price)})`,
      );
    }
  }
}
