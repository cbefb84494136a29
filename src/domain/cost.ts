/** What a clip costs: estimated from a plan before creating, booked from the prediction's metrics after. */
import { describeValue } from './describe-value';
import { FailureType, clipFailure } from './failures';
import type { PriceModel } from './model-spec';
import { formatUsd, multiplyUsd, parseUsd } from './money';
import type { PredictionSnapshot } from './types';

export type BillingMetric = 'predict_time' | 'video_output_duration_seconds';

export interface ClipCost {
  amountUsd: string;
  source: 'actual' | 'estimate';
  billingMetric: BillingMetric;
  unitPriceUsd: string;
}

const UNIT_PRICE_PATTERN = /^\d+(\.\d+)?$/;

export function unitPriceOf(price: PriceModel): string {
  return price.kind === 'hardware-time' ? price.usdPerSecond : price.usdPerUnit;
}

export function billingMetricOf(price: PriceModel): BillingMetric {
  return price.kind === 'hardware-time' ? 'predict_time' : price.metric;
}

export function withUnitPrice(price: PriceModel, unitPrice: string): PriceModel {
  return price.kind === 'hardware-time' ? { ...price, usdPerSecond: unitPrice } : { ...price, usdPerUnit: unitPrice };
}

/** A price override must be a plain non-negative decimal string such as '0.0014'. */
export function checkUnitPrice(value: unknown, field: string): string {
  if (typeof value === 'string' && UNIT_PRICE_PATTERN.test(value)) return value;
  throw clipFailure(
    FailureType.InvalidInput,
    `${field} must be a non-negative decimal USD price such as "0.0014" (got ${describeValue(value)})`,
  );
}

/**
 * Time-billed: price × the typical predict seconds (the real time is unknown before the run).
 * Per output second: price × the planned duration, which is what the model will bill.
 */
export function estimateCostUsd(price: PriceModel, typicalPredictSeconds: number, plannedDuration: number): string {
  return price.kind === 'hardware-time'
    ? multiplyUsd(price.usdPerSecond, typicalPredictSeconds)
    : multiplyUsd(price.usdPerUnit, plannedDuration);
}

/**
 * The most a prediction can be billed under its limits: what a budget reserves. Time-billed: price × the seconds it
 * may run before Replicate stops it (`maxRunSeconds`); per output second: price × the planned duration, the output
 * the model is asked for (and the most it bills).
 */
export function maxCostUsd(price: PriceModel, maxRunSeconds: number, plannedDuration: number): string {
  if (!Number.isFinite(maxRunSeconds) || maxRunSeconds <= 0) {
    throw clipFailure(FailureType.InvalidInput, `maxRunSeconds must be a positive number (got ${maxRunSeconds})`);
  }
  return price.kind === 'hardware-time'
    ? multiplyUsd(price.usdPerSecond, Math.ceil(maxRunSeconds))
    : multiplyUsd(price.usdPerUnit, plannedDuration);
}

/**
 * The cost to book: unit price × the prediction's billing metric, or the estimate when the metric is
 * missing. Aborted predictions never started and are not billed.
 */
export function costFromPrediction(price: PriceModel, prediction: PredictionSnapshot, estimateUsd: string): ClipCost {
  const billingMetric = billingMetricOf(price);
  const unitPriceUsd = unitPriceOf(price);
  if (prediction.status === 'aborted') {
    return { amountUsd: formatUsd(0n), source: 'actual', billingMetric, unitPriceUsd };
  }
  const measured = billingMetric === 'predict_time' ? prediction.predictTime : prediction.videoOutputDurationSeconds;
  if (typeof measured === 'number' && Number.isFinite(measured) && measured >= 0) {
    return { amountUsd: multiplyUsd(unitPriceUsd, measured), source: 'actual', billingMetric, unitPriceUsd };
  }
  return { amountUsd: formatUsd(parseUsd(estimateUsd)), source: 'estimate', billingMetric, unitPriceUsd };
}
