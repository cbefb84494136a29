/** Turns driver rows into ledger records. pg and PGlite both return numeric as text; the format is ours. */
import { formatUsd, parseUsd } from '../domain/money';
import type { BookedPredictionStatus, ClipCostRow, JobRecord, Reservation } from './types';

export interface JobRow {
  id: string;
  budget_usd: string | null;
  total_cost: string;
}

export interface ClipCostDbRow {
  job_id: string;
  clip_index: number;
  prediction_id: string;
  model: string;
  amount_usd: string;
  estimate_usd: string;
  source: 'actual' | 'estimate';
  predict_time_s: number | null;
  billing_metric: string;
  unit_price_usd: string;
  billing_variant: string | null;
  prediction_status: BookedPredictionStatus;
  price_source: string;
  created_at: Date | string;
}

export interface ReservationDbRow {
  clip_index: number;
  amount_usd: string;
  updated_at: Date | string;
}

/** Exactly 6 decimals, identical whichever driver read the value: '0.3' and '0.300000' → '0.300000'. */
export function usdFromDb(value: string | number): string {
  return formatUsd(parseUsd(String(value)));
}

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    budgetUsd: row.budget_usd === null ? null : usdFromDb(row.budget_usd),
    totalCost: usdFromDb(row.total_cost),
  };
}

export function toClipCostRow(row: ClipCostDbRow): ClipCostRow {
  return {
    jobId: row.job_id,
    clipIndex: row.clip_index,
    predictionId: row.prediction_id,
    model: row.model,
    amountUsd: usdFromDb(row.amount_usd),
    estimateUsd: usdFromDb(row.estimate_usd),
    source: row.source,
    predictTimeSeconds: row.predict_time_s,
    billingMetric: row.billing_metric,
    unitPriceUsd: usdFromDb(row.unit_price_usd),
    billingVariant: row.billing_variant,
    predictionStatus: row.prediction_status,
    priceSource: row.price_source,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toReservation(row: ReservationDbRow): Reservation {
  return {
    clipIndex: row.clip_index,
    amountUsd: usdFromDb(row.amount_usd),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
