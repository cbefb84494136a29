/** The CostLedger over any SqlDatabase: the same statements and rules for Postgres and PGlite. */
import { FailureType, clipFailure } from '../domain/failures';
import { addUsd, compareUsd, formatUsd, isUsd, parseUsd } from '../domain/money';
import { ledgerFailure } from './errors';
import { pendingMigrations, runMigrations, type MigrateOptions } from './migrations';
import {
  BOOK_CLIP_COST,
  DELETE_RESERVATION,
  ENSURE_JOB,
  LIST_CLIP_COSTS,
  LIST_CLIP_COSTS_BOOKED_SINCE,
  LIST_RECENT_CLIP_COSTS,
  LIST_RESERVATIONS,
  LOCK_JOB,
  SELECT_BOOKED_CLIP_COST,
  SELECT_JOB,
  SUM_OTHER_RESERVATIONS,
  UPSERT_JOB_BUDGET,
  UPSERT_RESERVATION,
} from './sql';
import type {
  BookedPredictionStatus,
  BookingResult,
  ClipCostEntry,
  ClipCostRow,
  CostLedger,
  JobRecord,
  Reservation,
  ReservationRequest,
  ReservationResult,
  SqlDatabase,
  SqlSession,
} from './types';

interface BookedRow {
  amount_usd: string | null;
  total_cost: string | null;
}

export function createSqlLedger(db: SqlDatabase, migrateOptions: MigrateOptions = {}): CostLedger {
  return {
    migrate: () => guard('apply the migrations', () => runMigrations(db, migrateOptions)),

    pendingMigrations: () => guard('read the applied migrations', () => pendingMigrations(db, migrateOptions)),

    ensureJob: (jobId, budgetUsd) =>
      guard(`create job ${jobId}`, async () => {
        if (budgetUsd !== undefined && budgetUsd !== null) requireUsd('budget', budgetUsd);
        await db.transaction(async (session) => {
          if (budgetUsd === undefined) await session.query(ENSURE_JOB, [jobId]);
          else await session.query(UPSERT_JOB_BUDGET, [jobId, budgetUsd]);
        });
      }),

    getJob: (jobId) =>
      guard(`read job ${jobId}`, async () => {
        const rows = await db.transaction((session) => session.query<JobRow>(SELECT_JOB, [jobId]));
        return rows.length === 0 ? null : toJobRecord(rows[0]);
      }),

    bookClipCost: (entry) =>
      guard(`book the cost of clip ${entry.clipIndex} of job ${entry.jobId}`, async () => {
        validateEntry(entry);
        return db.transaction((session) => book(session, entry));
      }),

    listClipCosts: (jobId) =>
      guard(`list the clip costs of job ${jobId}`, async () => {
        const rows = await db.transaction((session) => session.query<ClipCostDbRow>(LIST_CLIP_COSTS, [jobId]));
        return rows.map(toClipCostRow);
      }),

    listRecentClipCosts: (limit) =>
      guard(`list the last ${limit} clip costs`, async () => {
        if (!Number.isInteger(limit) || limit < 1) {
          throw clipFailure(FailureType.InvalidInput, `limit must be a positive integer (got ${limit})`);
        }
        const rows = await db.transaction((session) => session.query<ClipCostDbRow>(LIST_RECENT_CLIP_COSTS, [limit]));
        return rows.map(toClipCostRow);
      }),

    listClipCostsBookedSince: (since) =>
      guard(`list the clip costs booked since ${since}`, async () => {
        const rows = await db.transaction((session) =>
          session.query<ClipCostDbRow>(LIST_CLIP_COSTS_BOOKED_SINCE, [since]),
        );
        return rows.map(toClipCostRow);
      }),

    reserveBudget: (request) =>
      guard(`check the budget of job ${request.jobId} for clip ${request.clipIndex}`, async () => {
        requireUsd('amountUsd', request.amountUsd);
        return db.transaction((session) => reserve(session, request));
      }),

    releaseBudget: (jobId, clipIndex) =>
      guard(`release the budget reservation of clip ${clipIndex} of job ${jobId}`, async () => {
        const deleted = await db.transaction((session) => session.query(DELETE_RESERVATION, [jobId, clipIndex]));
        return deleted.length > 0;
      }),

    listReservations: (jobId) =>
      guard(`list the budget reservations of job ${jobId}`, async () => {
        const rows = await db.transaction((session) => session.query<ReservationDbRow>(LIST_RESERVATIONS, [jobId]));
        return rows.map(toReservation);
      }),

    close: () => guard('close the connection', () => db.close()),
  };
}

async function book(session: SqlSession, entry: ClipCostEntry): Promise<BookingResult> {
  // The job row must exist before the booking statement's snapshot, or its update would match nothing.
  await session.query(ENSURE_JOB, [entry.jobId]);
  const [booked] = await session.query<BookedRow>(BOOK_CLIP_COST, [
    entry.jobId,
    entry.clipIndex,
    entry.predictionId,
    entry.model,
    entry.amountUsd,
    entry.estimateUsd,
    entry.source,
    entry.predictTimeSeconds,
    entry.billingMetric,
    entry.unitPriceUsd,
    entry.predictionStatus ?? 'succeeded',
    entry.priceSource ?? 'catalogue',
    entry.billingVariant ?? null,
  ]);
  if (entry.releaseReservation ?? true) await session.query(DELETE_RESERVATION, [entry.jobId, entry.clipIndex]);
  if (booked.amount_usd !== null && booked.total_cost !== null) {
    return { applied: true, amountUsd: usdFromDb(booked.amount_usd), totalCost: usdFromDb(booked.total_cost) };
  }
  const [existing] = await session.query<{ amount_usd: string; total_cost: string }>(SELECT_BOOKED_CLIP_COST, [
    entry.jobId,
    entry.clipIndex,
    entry.predictionId,
  ]);
  if (!existing) throw new Error('the booking neither inserted a row nor found the one that blocked it');
  return { applied: false, amountUsd: usdFromDb(existing.amount_usd), totalCost: usdFromDb(existing.total_cost) };
}

async function reserve(session: SqlSession, request: ReservationRequest): Promise<ReservationResult> {
  const { jobId, clipIndex, amountUsd } = request;
  await session.query(ENSURE_JOB, [jobId]);
  const [job] = await session.query<Omit<JobRow, 'id'>>(LOCK_JOB, [jobId]);
  if (!job) throw new Error(`job ${jobId} was deleted while its budget was checked`);
  const [others] = await session.query<{ reserved_usd: string; clips: number }>(SUM_OTHER_RESERVATIONS, [
    jobId,
    clipIndex,
  ]);
  const budgetUsd = job.budget_usd === null ? null : usdFromDb(job.budget_usd);
  const bookedUsd = usdFromDb(job.total_cost);
  const reservedUsd = usdFromDb(others.reserved_usd);
  const projectedUsd = addUsd(addUsd(bookedUsd, reservedUsd), amountUsd);
  const granted = budgetUsd === null || compareUsd(projectedUsd, budgetUsd) <= 0;
  // A refused clip goes no further, so an earlier reservation of its own (its primary branch's) is freed.
  if (granted) await session.query(UPSERT_RESERVATION, [jobId, clipIndex, amountUsd]);
  else await session.query(DELETE_RESERVATION, [jobId, clipIndex]);
  return { granted, budgetUsd, bookedUsd, reservedUsd, reservingClips: Number(others.clips) };
}

function validateEntry(entry: ClipCostEntry): void {
  requireUsd('amountUsd', entry.amountUsd);
  requireUsd('estimateUsd', entry.estimateUsd);
  requireUsd('unitPriceUsd', entry.unitPriceUsd);
  if (entry.predictTimeSeconds !== null && !Number.isFinite(entry.predictTimeSeconds)) {
    throw clipFailure(FailureType.InvalidInput, `predictTimeSeconds must be a finite number or null`);
  }
  const variant: unknown = entry.billingVariant ?? null;
  if (variant !== null && (typeof variant !== 'string' || variant === '')) {
    throw clipFailure(FailureType.InvalidInput, `billingVariant must be a non-empty string or null`);
  }
}

/** numeric(12,6) would silently round a 7th decimal: refuse anything the column cannot hold exactly. */
function requireUsd(field: string, value: string): void {
  if (!isUsd(value)) {
    const shown = JSON.stringify(String(value).slice(0, 40));
    throw clipFailure(FailureType.InvalidInput, `${field} must be a USD amount with at most 6 decimals (got ${shown})`);
  }
}

async function guard<T>(action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw ledgerFailure(error, action);
  }
}

/** Turns driver rows into ledger records. pg and PGlite both return numeric as text; the format is ours. */
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
