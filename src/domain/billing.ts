/**
 * What Replicate bills for a finished prediction (its billing docs): a succeeded one by its
 * billing metric; a canceled or failed one only for what it ran; an aborted one (it never started) nothing.
 */
import { actualClipCost, type ClipCost, type PriceOverrides } from './catalogue';
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import { parseUsd } from './money';
import type { PredictionSnapshot } from './types';

/** The statuses Replicate bills. */
export type BilledStatus = 'succeeded' | 'canceled' | 'failed';

export interface BilledCost extends ClipCost {
  predictionStatus: BilledStatus;
}

/**
 * The cost to book for a terminal prediction, or null when Replicate bills it nothing. A variant-priced model is
 * priced at the variant the prediction reports, else at `plannedVariant`, else at its dearest variant.
 */
export function billedClipCost(
  prediction: PredictionSnapshot,
  estimateUsd: string,
  priceOverrides: PriceOverrides = {},
  plannedVariant: string | null = null,
): BilledCost | null {
  const { status } = prediction;
  if (status === 'aborted') return null;
  if (status !== 'succeeded' && status !== 'canceled' && status !== 'failed') {
    throw clipFailure(
      FailureType.InvalidInput,
      `Prediction ${describeValue(prediction.id)} is still ${status}: only a finished prediction has a cost`,
    );
  }
  const cost = {
    ...actualClipCost(prediction.model, prediction, estimateUsd, priceOverrides, plannedVariant),
    predictionStatus: status,
  };
  if (status === 'succeeded') return cost;
  // Stopped before it ran (no metric, or zero of it): nothing to bill. Per-output models bill outputs only.
  return cost.source === 'actual' && parseUsd(cost.amountUsd) > 0n ? cost : null;
}
