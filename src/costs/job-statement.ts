/** One job's costs as `clipgen cost --job-id` shows them: each booking beside its estimate, and the totals. */
import { addUsd, compareUsd } from '../domain/money';
import type { ClipCostRow, JobRecord, Reservation } from '../ledger/types';
import { relativeError } from './estimate-error';

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
