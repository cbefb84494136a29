/** What a clip costs: estimated from a plan before creating, booked from the prediction's metrics after. */
import { describeValue } from './text';
import { FailureType, clipFailure } from './failures';
import type { PriceModel, VariantMetric } from './model-spec';
import { compareUsd, formatUsd, multiplyUsd, parseUsd } from './money';
import type { PredictionSnapshot } from './types';

export type BillingMetric = 'predict_time' | 'video_output_duration_seconds';

/** The unit price a clip is priced at: its model's only one, or one billing variant's. */
export interface UnitPrice {
  billingMetric: BillingMetric;
  /** Decimal USD per second of hardware (predict_time) or per output second. */
  unitPriceUsd: string;
  /** The billing variant priced ('pro', '768p'); null for a model with a single price. */
  variant: string | null;
  /** 'catalogue:<date the price was checked>' or 'override'; booked beside each cost. */
  priceSource: string;
}

export interface ClipCost {
  amountUsd: string;
  source: 'actual' | 'estimate';
  billingMetric: BillingMetric;
  unitPriceUsd: string;
  /** The variant the unit price is of: the one the prediction reported, else the plan's; null for one price. */
  billingVariant: string | null;
  priceSource: string;
}

const UNIT_PRICE_PATTERN = /^\d+(\.\d+)?$/;

/** Where PredictionSnapshot keeps each variant metric Replicate reports. */
const SNAPSHOT_FIELD = {
  model_variant: 'modelVariant',
  resolution_target: 'resolutionTarget',
  motion_mode: 'motionMode',
  with_audio: 'withAudio',
} as const satisfies Record<VariantMetric, keyof PredictionSnapshot>;

export function billingMetricOf(price: PriceModel): BillingMetric {
  return price.kind === 'hardware-time' ? 'predict_time' : price.metric;
}

/** The billing variants a model is priced by, cheapest first; empty for a model with a single price. */
export function variantsOf(price: PriceModel): string[] {
  return price.kind === 'per-output-second' ? Object.keys(price.variants) : [];
}

export function isVariantOf(price: PriceModel, variant: unknown): variant is string {
  return typeof variant === 'string' && variantsOf(price).includes(variant);
}

/** InvalidInput unless `variant` is one the model is priced by (or null for a model with a single price). */
export function requireVariant(model: string, price: PriceModel, variant: unknown, field: string): string | null {
  const known = variantsOf(price);
  if (known.length === 0) {
    if (variant === null || variant === undefined) return null;
    throw clipFailure(
      FailureType.InvalidInput,
      `${field}: ${model} has a single price and no billing variants (got ${describeValue(variant)})`,
    );
  }
  if (variant === null || variant === undefined || isVariantOf(price, variant)) return variant ?? null;
  throw clipFailure(
    FailureType.InvalidInput,
    `${field} must be a billing variant of ${model}: ${known.join(', ')} (got ${describeValue(variant)})`,
  );
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
 * The catalogue's unit price of `variant`: the model's only price, or that variant's. A variant-priced model asked
 * for no variant gets its dearest one, so that what is reserved or estimated stays a bound.
 */
export function catalogueUnitPrice(price: PriceModel, variant: string | null): UnitPrice {
  if (price.kind === 'hardware-time') {
    return {
      billingMetric: 'predict_time',
      unitPriceUsd: price.usdPerSecond,
      variant: null,
      priceSource: `catalogue:${price.checkedOn}`,
    };
  }
  if (variant === null) return dearest(variantsOf(price).map((key) => catalogueUnitPrice(price, key)));
  const entry = price.variants[variant];
  if (!entry) throw new Error(`no price for variant ${JSON.stringify(variant)}`);
  return {
    billingMetric: price.metric,
    unitPriceUsd: entry.usdPerUnit,
    variant,
    priceSource: `catalogue:${entry.checkedOn}`,
  };
}

/** The dearest of several unit prices (the later one on a tie: variants are listed cheapest first). */
export function dearest(prices: UnitPrice[]): UnitPrice {
  return prices.reduce((most, price) => (compareUsd(price.unitPriceUsd, most.unitPriceUsd) >= 0 ? price : most));
}

/** The variant metrics a prediction reported, by Replicate's names (a missing one is normal). */
export function reportedVariantMetrics(prediction: PredictionSnapshot): Partial<Record<VariantMetric, string>> {
  const reported: Partial<Record<VariantMetric, string>> = {};
  for (const metric of Object.keys(SNAPSHOT_FIELD) as VariantMetric[]) {
    const value: unknown = prediction[SNAPSHOT_FIELD[metric]];
    if (typeof value === 'string' || typeof value === 'boolean') reported[metric] = String(value);
  }
  return reported;
}

/**
 * The billing variant the prediction's metrics name, by the price model's `reportedAs` (first match wins); null
 * when it reports none, or only values the catalogue does not price.
 */
export function reportedVariant(price: PriceModel, prediction: PredictionSnapshot): string | null {
  if (price.kind === 'hardware-time') return null;
  const reported = reportedVariantMetrics(prediction);
  for (const [metric, names] of Object.entries(price.reportedAs) as [VariantMetric, Record<string, string>][]) {
    const value = reported[metric];
    if (value !== undefined && Object.hasOwn(names, value) && isVariantOf(price, names[value])) return names[value];
  }
  return null;
}

/** The catalogue's estimate for a plan: see estimateAtUsd. */
export function estimateCostUsd(
  price: PriceModel,
  typicalPredictSeconds: number,
  plannedDuration: number,
  variant: string | null = null,
): string {
  return estimateAtUsd(catalogueUnitPrice(price, variant), typicalPredictSeconds, plannedDuration);
}

/**
 * Time-billed: price × the typical predict seconds (the real time is unknown before the run).
 * Per output second: the variant's price × the planned duration, which is what the model will bill.
 */
export function estimateAtUsd(unit: UnitPrice, typicalPredictSeconds: number, plannedDuration: number): string {
  return unit.billingMetric === 'predict_time'
    ? multiplyUsd(unit.unitPriceUsd, typicalPredictSeconds)
    : multiplyUsd(unit.unitPriceUsd, plannedDuration);
}

/**
 * The most a prediction can be billed under its limits: what a budget reserves. Time-billed: price × the seconds it
 * may run before Replicate stops it (`maxRunSeconds`); per output second: the variant's price × the planned duration,
 * the output the model is asked for (and the most it bills).
 */
export function maxCostUsd(unit: UnitPrice, maxRunSeconds: number, plannedDuration: number): string {
  if (!Number.isFinite(maxRunSeconds) || maxRunSeconds <= 0) {
    throw clipFailure(FailureType.InvalidInput, `maxRunSeconds must be a positive number (got ${maxRunSeconds})`);
  }
  return unit.billingMetric === 'predict_time'
    ? multiplyUsd(unit.unitPriceUsd, Math.ceil(maxRunSeconds))
    : multiplyUsd(unit.unitPriceUsd, plannedDuration);
}

/**
 * The cost to book: unit price × the prediction's billing metric, or the estimate when the metric is
 * missing. Aborted predictions never started and are not billed.
 */
export function costFromPrediction(unit: UnitPrice, prediction: PredictionSnapshot, estimateUsd: string): ClipCost {
  const priced = {
    billingMetric: unit.billingMetric,
    unitPriceUsd: unit.unitPriceUsd,
    billingVariant: unit.variant,
    priceSource: unit.priceSource,
  };
  if (prediction.status === 'aborted') return { amountUsd: formatUsd(0n), source: 'actual', ...priced };
  const measured =
    unit.billingMetric === 'predict_time' ? prediction.predictTime : prediction.videoOutputDurationSeconds;
  if (typeof measured === 'number' && Number.isFinite(measured) && measured >= 0) {
    return { amountUsd: multiplyUsd(unit.unitPriceUsd, measured), source: 'actual', ...priced };
  }
  return { amountUsd: formatUsd(parseUsd(estimateUsd)), source: 'estimate', ...priced };
}
