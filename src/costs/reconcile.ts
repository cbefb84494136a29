/**
 * The ledger against Replicate's own record: predictions Replicate billed that the ledger lacks, ledger rows
 * whose prediction Replicate does not know, bookings whose amount differs from what the prediction's
 * billing metric gives at the booked unit price, and bookings whose billing variant or unit price differs from the
 * variant the prediction reports and its price in the catalogue (or the overrides).
 */
import { billedClipCost } from '../domain/billing';
import { effectiveUnitPrice, getModelSpec, type PriceOverrides } from '../domain/catalogue';
import { reportedVariant, reportedVariantMetrics, variantsOf } from '../domain/cost';
import type { VariantMetric } from '../domain/model-spec';
import { compareUsd, formatUsd, multiplyUsd, parseUsd } from '../domain/money';
import { MODEL_IDS, isModelId, isTerminalStatus, type ModelId, type PredictionSnapshot } from '../domain/types';
import { REPLICATE_REFS, replicateModelName } from '../domain/replicate-refs';
import type { ClipCostRow, CostLedger } from '../ledger/types';
import type { PredictionLister } from '../replicate/list-predictions';
import { toPredictionSnapshot, type ReplicatePredictionJson } from '../replicate/snapshot';

export interface ReconcileOptions {
  /** Predictions created, and bookings made, at or after this instant. */
  since: Date;
  /** Predictions that completed less than this long ago may still be on their way to the ledger. */
  graceMs: number;
  maxPages: number;
  priceOverrides: PriceOverrides;
  now?: () => number;
}

export interface UnbookedPrediction {
  predictionId: string;
  model: ModelId;
  status: string;
  createdAt: string | null;
  completedAt: string | null;
  /** At the prices in effect; null when Replicate reported no billing metric. */
  billedUsd: string | null;
  /** The billing variant `billedUsd` is priced at: the reported one, else the model's dearest; null for one price. */
  billingVariant: string | null;
}

export interface BookingRef {
  jobId: string;
  clipIndex: number;
  predictionId: string;
  model: string;
  amountUsd: string;
  bookedAt: string;
}

export interface AmountMismatch extends BookingRef {
  /** The booked unit price × Replicate's billing metric (0 when Replicate billed nothing). */
  billedUsd: string;
  reason: string;
}

/** A booking priced as another variant than the prediction reports, or at another price than that variant's. */
export interface PriceMismatch extends BookingRef {
  /** What the booking recorded. */
  billingVariant: string | null;
  unitPriceUsd: string;
  /** The variant the prediction's metrics name (else the booked one), and its unit price in effect now. */
  expectedVariant: string | null;
  /** Null when the variant is unknown (neither reported nor booked), so no price can be checked. */
  expectedUnitPriceUsd: string | null;
  reason: string;
}

export interface ReconcileReport {
  since: string;
  /** False when the list of predictions was cut short by the page limit: the check is incomplete. */
  complete: boolean;
  replicate: { predictions: number; otherModels: number; inFlight: number; notBilled: number; recent: number };
  ledger: { rows: number };
  missingFromLedger: UnbookedPrediction[];
  unknownToReplicate: BookingRef[];
  amountMismatches: AmountMismatch[];
  /** Bookings whose variant or unit price disagrees with the prediction's reported variant and the prices in effect. */
  priceMismatches: PriceMismatch[];
  /** One prediction booked in more than one row: counted twice in the totals. */
  duplicateBookings: BookingRef[];
  discrepancies: number;
}

const MODEL_BY_NAME = new Map(MODEL_IDS.map((id) => [replicateModelName(REPLICATE_REFS[id]), id]));
const MODEL_BY_VERSION = new Map(
  MODEL_IDS.flatMap((id) => (REPLICATE_REFS[id].version ? [[REPLICATE_REFS[id].version, id] as const] : [])),
);

export async function reconcile(
  ledger: CostLedger,
  replicate: PredictionLister,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const now = options.now ?? Date.now;
  const sinceMs = options.since.getTime();
  // Replicate first: a prediction booked while we read is then in the ledger by the time we look there.
  const listed = await replicate.listCreatedSince(sinceMs, options.maxPages);
  const rows = await ledger.listClipCostsBookedSince(options.since.toISOString());
  const rowsByPrediction = groupBy(rows, (row) => row.predictionId);

  const counts = { predictions: listed.predictions.length, otherModels: 0, inFlight: 0, notBilled: 0, recent: 0 };
  const missingFromLedger: UnbookedPrediction[] = [];
  const amountMismatches: AmountMismatch[] = [];
  const priceMismatches: PriceMismatch[] = [];
  const seen = new Set<string>();

  const compareBooked = (prediction: PredictionSnapshot, booked: ClipCostRow[]) => {
    for (const row of booked) {
      const mismatch = amountMismatch(row, prediction);
      if (mismatch) amountMismatches.push(mismatch);
      const mispriced = priceMismatch(row, prediction, options.priceOverrides);
      if (mispriced) priceMismatches.push(mispriced);
    }
  };

  for (const json of listed.predictions) {
    const model = modelOf(json);
    if (!model) {
      counts.otherModels += 1;
      continue;
    }
    seen.add(json.id);
    const prediction = toPredictionSnapshot(model, json);
    const booked = rowsByPrediction.get(json.id);
    if (booked) {
      compareBooked(prediction, booked);
      continue;
    }
    if (!isTerminalStatus(prediction.status)) counts.inFlight += 1;
    else if (billedClipCost(prediction, '0', options.priceOverrides) === null) counts.notBilled += 1;
    else if (now() - Date.parse(prediction.completedAt ?? '') < options.graceMs) counts.recent += 1;
    else missingFromLedger.push(unbooked(prediction, options.priceOverrides));
  }

  // Rows booked in the window for predictions created before it are not in the list: ask for each.
  const unknownToReplicate: BookingRef[] = [];
  for (const [predictionId, booked] of rowsByPrediction) {
    if (seen.has(predictionId)) continue;
    const json = await replicate.lookup(predictionId);
    if (json === null) unknownToReplicate.push(...booked.map(bookingRef));
    else if (isModelId(booked[0].model)) compareBooked(toPredictionSnapshot(booked[0].model, json), booked);
  }

  const duplicateBookings = [...rowsByPrediction.values()]
    .filter((booked) => booked.length > 1)
    .flat()
    .map(bookingRef);
  return {
    since: options.since.toISOString(),
    complete: listed.complete,
    replicate: counts,
    ledger: { rows: rows.length },
    missingFromLedger,
    unknownToReplicate,
    amountMismatches,
    priceMismatches,
    duplicateBookings,
    discrepancies:
      missingFromLedger.length +
      unknownToReplicate.length +
      amountMismatches.length +
      priceMismatches.length +
      duplicateBookings.length,
  };
}

function modelOf(prediction: ReplicatePredictionJson): ModelId | undefined {
  return MODEL_BY_NAME.get(prediction.model ?? '') ?? MODEL_BY_VERSION.get(prediction.version ?? '');
}

function unbooked(prediction: PredictionSnapshot, priceOverrides: PriceOverrides): UnbookedPrediction {
  const cost = billedClipCost(prediction, '0', priceOverrides);
  return {
    predictionId: prediction.id,
    model: prediction.model,
    status: prediction.status,
    createdAt: prediction.createdAt,
    completedAt: prediction.completedAt,
    billedUsd: cost?.source === 'actual' ? cost.amountUsd : null,
    billingVariant: cost?.billingVariant ?? null,
  };
}

/** Compares a booking with the prediction's billing metric at the booking's own unit price. */
function amountMismatch(row: ClipCostRow, prediction: PredictionSnapshot): AmountMismatch | null {
  if (!isTerminalStatus(prediction.status)) return null;
  const billed = billedClipCost(prediction, row.estimateUsd, {}, row.billingVariant ?? null);
  if (billed === null) {
    const reason = `Replicate did not bill this ${prediction.status} prediction`;
    return compareUsd(row.amountUsd, '0') === 0 ? null : { ...bookingRef(row), billedUsd: '0.000000', reason };
  }
  // No metric on Replicate's side: nothing to compare with (the booking is then the estimate, as it says).
  if (billed.source !== 'actual') return null;
  const metric =
    billed.billingMetric === 'predict_time' ? prediction.predictTime : prediction.videoOutputDurationSeconds;
  const billedUsd = multiplyUsd(row.unitPriceUsd, metric ?? 0);
  if (compareUsd(billedUsd, row.amountUsd) === 0) return null;
  const reason =
    row.source === 'estimate'
      ? `booked from the estimate; Replicate now reports ${billed.billingMetric} = ${metric}`
      : `${billed.billingMetric} = ${metric} × ${row.unitPriceUsd} USD`;
  return { ...bookingRef(row), billedUsd, reason };
}

/**
 * Checks a booking's variant against the one the prediction's metrics name (a booking without one was priced at the
 * plan's, which Replicate does not echo), and its unit price against that variant's price in effect.
 */
function priceMismatch(
  row: ClipCostRow,
  prediction: PredictionSnapshot,
  priceOverrides: PriceOverrides,
): PriceMismatch | null {
  if (!isTerminalStatus(prediction.status) || !isModelId(row.model)) return null;
  const spec = getModelSpec(row.model);
  const variants = variantsOf(spec.price);
  const booked = row.billingVariant ?? null;
  const reasons: string[] = [];
  let expected: string | null = null;
  if (variants.length === 0) {
    if (booked !== null) reasons.push(`booked as variant ${booked}; ${row.model} has a single price`);
  } else {
    const reported = reportedVariant(spec.price, prediction);
    const named = namedMetrics(spec.price.kind === 'per-output-second' ? spec.price.reportedAs : {}, prediction);
    if (reported !== null && reported !== booked) {
      reasons.push(`booked as ${booked ?? 'no variant'}; Replicate reports ${named} (${reported})`);
    } else if (reported === null && named !== '') {
      reasons.push(
        `Replicate reports ${named}, which no variant of ${row.model} is priced for (${variants.join(', ')})`,
      );
    }
    if (booked !== null && !variants.includes(booked)) {
      reasons.push(`booked as ${booked}, not a billing variant of ${row.model} (${variants.join(', ')})`);
    }
    expected = reported ?? (booked !== null && variants.includes(booked) ? booked : null);
  }
  let expectedUnitPriceUsd: string | null = null;
  if (variants.length === 0 || expected !== null) {
    const price = effectiveUnitPrice(spec, expected, priceOverrides);
    expectedUnitPriceUsd = formatUsd(parseUsd(price.unitPriceUsd));
    if (compareUsd(expectedUnitPriceUsd, row.unitPriceUsd) !== 0) {
      const priced = expected === null ? row.model : `${row.model} ${expected}`;
      reasons.push(
        `booked at ${row.unitPriceUsd} USD; ${priced} costs ${expectedUnitPriceUsd} USD (${price.priceSource})`,
      );
    }
  }
  if (reasons.length === 0) return null;
  return {
    ...bookingRef(row),
    billingVariant: booked,
    unitPriceUsd: row.unitPriceUsd,
    expectedVariant: expected,
    expectedUnitPriceUsd,
    reason: reasons.join('; '),
  };
}

/** The variant metrics the model is priced by that the prediction reports, e.g. 'resolution_target=1080p'. */
function namedMetrics(reportedAs: Partial<Record<VariantMetric, unknown>>, prediction: PredictionSnapshot): string {
  const reported = reportedVariantMetrics(prediction);
  return (Object.keys(reportedAs) as VariantMetric[])
    .filter((metric) => reported[metric] !== undefined)
    .map((metric) => `${metric}=${reported[metric]}`)
    .join(', ');
}

function bookingRef(row: ClipCostRow): BookingRef {
  return {
    jobId: row.jobId,
    clipIndex: row.clipIndex,
    predictionId: row.predictionId,
    model: row.model,
    amountUsd: row.amountUsd,
    bookedAt: row.createdAt,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
