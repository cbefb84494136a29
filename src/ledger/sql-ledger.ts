/** The CostLedger over any SqlDatabase: the same statements and rules for Postgres and PGlite. */
import { FailureType, clipFailure } from '../domain/failures';
import { isUsd } from '../domain/money';
import type { SqlDatabase, SqlSession } from './database';
import { ledgerFailure } from './errors';
import { runMigrations, type MigrateOptions } from './migrations';
import { toClipCostRow, toJobRecord, usdFromDb, type ClipCostDbRow, type JobRow } from './rows';
import {
  BOOK_CLIP_COST,
  ENSURE_JOB,
  LIST_CLIP_COSTS,
  SELECT_BOOKED_CLIP_COST,
  SELECT_JOB,
  UPSERT_JOB_BUDGET,
} from './sql';
import type { BookingResult, ClipCostEntry, CostLedger } from './types';

interface BookedRow {
  amount_usd: string | null;
  total_cost: string | null;
}

export function createSqlLedger(db: SqlDatabase, migrateOptions: MigrateOptions = {}): CostLedger {
  return {
    migrate: () =>
      guard('apply the migrations', async () => {
        await runMigrations(db, migrateOptions);
      }),

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
  ]);
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

function validateEntry(entry: ClipCostEntry): void {
  requireUsd('amountUsd', entry.amountUsd);
  requireUsd('estimateUsd', entry.estimateUsd);
  requireUsd('unitPriceUsd', entry.unitPriceUsd);
  if (entry.predictTimeSeconds !== null && !Number.isFinite(entry.predictTimeSeconds)) {
    throw clipFailure(FailureType.InvalidInput, `predictTimeSeconds must be a finite number or null`);
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
