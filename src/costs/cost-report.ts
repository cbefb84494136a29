/** What `clipgen cost` reports: one job's statement, and how far the estimates are from the bills. */
import { addUsd, compareUsd, parseUsd } from '../domain/money';
import type { ClipCostRow, JobRecord, Reservation } from '../ledger/types';

/** One job's costs as `clipgen cost --job-id` shows them: each booking beside its estimate, and the totals. */
export interface StatementLine extends ClipCostRow {
  /** (actual − estimate) / estimate; null for a zero estimate. */
  error: number | null;
}

export interface JobStatement {
  jobId: string;
  budgetUsd: string | null;
  /** jobs.total_cost: what budget checks count as spent. */
  bookedUsd: string;
  /** Estimates of clips in flight. */
  reservedUsd: string;
  reservations: Reservation[];
  clips: StatementLine[];
  /** The sum of the bookings; equal to bookedUsd unless the ledger was edited by hand. */
  clipsTotalUsd: string;
  estimateTotalUsd: string;
}

export function jobStatement(job: JobRecord, rows: readonly ClipCostRow[], reservations: Reservation[]): JobStatement {
  const total = (amounts: string[]) => amounts.reduce(addUsd, '0.000000');
  return {
    jobId: job.id,
    budgetUsd: job.budgetUsd,
    bookedUsd: job.totalCost,
    reservedUsd: total(reservations.map((reservation) => reservation.amountUsd)),
    reservations,
    clips: rows.map((row) => ({ ...row, error: relativeError(row) })),
    clipsTotalUsd: total(rows.map((row) => row.amountUsd)),
    estimateTotalUsd: total(rows.map((row) => row.estimateUsd)),
  };
}

export function totalsAgree(statement: JobStatement): boolean {
  return compareUsd(statement.bookedUsd, statement.clipsTotalUsd) === 0;
}

/**
 * How far the planner's estimates are from what Replicate billed: |actual − estimate| / estimate over booked
 * clips. Only full runs count: a booking of the estimate itself, or of a canceled or failed prediction
 * (which stopped early), says nothing about the estimate.
 */
/** The target: estimates within ±20% of the bill. */
export const ESTIMATE_TOLERANCE = 0.2;

export interface ErrorDistribution {
  count: number;
  /** Of |actual − estimate| / estimate, as fractions (0.1 = 10%); null when count is 0. */
  mean: number | null;
  median: number | null;
  /** Nearest-rank 90th percentile. */
  p90: number | null;
  /** Share of clips whose actual is within ±ESTIMATE_TOLERANCE of the estimate; null when count is 0. */
  withinTolerance: number | null;
  /** Mean of (actual − estimate) / estimate: above 0, estimates run low. */
  meanSigned: number | null;
}

export interface EstimateErrorReport {
  /** Bookings looked at. */
  rows: number;
  overall: ErrorDistribution;
  byModel: Record<string, ErrorDistribution>;
  /** Bookings left out, by reason. */
  excluded: { bookedFromEstimate: number; stoppedEarly: number; zeroEstimate: number };
}

/** Signed relative error of one booking: (actual − estimate) / estimate. */
export function relativeError(row: Pick<ClipCostRow, 'amountUsd' | 'estimateUsd'>): number | null {
  const estimate = parseUsd(row.estimateUsd);
  if (estimate === 0n) return null;
  return Number(parseUsd(row.amountUsd) - estimate) / Number(estimate);
}

export function estimateErrorReport(rows: readonly ClipCostRow[]): EstimateErrorReport {
  const excluded = { bookedFromEstimate: 0, stoppedEarly: 0, zeroEstimate: 0 };
  const errors: { model: string; error: number }[] = [];
  for (const row of rows) {
    if (row.source !== 'actual') excluded.bookedFromEstimate += 1;
    else if (row.predictionStatus !== 'succeeded') excluded.stoppedEarly += 1;
    else {
      const error = relativeError(row);
      if (error === null) excluded.zeroEstimate += 1;
      else errors.push({ model: row.model, error });
    }
  }
  const models = [...new Set(errors.map((entry) => entry.model))].sort();
  return {
    rows: rows.length,
    overall: distributionOf(errors.map((entry) => entry.error)),
    byModel: Object.fromEntries(
      models.map((model) => [
        model,
        distributionOf(errors.filter((entry) => entry.model === model).map((entry) => entry.error)),
      ]),
    ),
    excluded,
  };
}

export function distributionOf(signedErrors: readonly number[]): ErrorDistribution {
  const count = signedErrors.length;
  if (count === 0) {
    return { count, mean: null, median: null, p90: null, withinTolerance: null, meanSigned: null };
  }
  const sizes = signedErrors.map(Math.abs).sort((a, b) => a - b);
  const middle = Math.floor(count / 2);
  return {
    count,
    mean: sum(sizes) / count,
    median: count % 2 === 1 ? sizes[middle] : (sizes[middle - 1] + sizes[middle]) / 2,
    p90: sizes[Math.ceil(0.9 * count) - 1],
    // A hair of slack so that exactly 20% counts as within, whatever the float rounding.
    withinTolerance: sizes.filter((size) => size <= ESTIMATE_TOLERANCE + 1e-12).length / count,
    meanSigned: sum(signedErrors) / count,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
