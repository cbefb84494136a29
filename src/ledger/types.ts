export interface JobRecord {
  id: string;
  /** Decimal USD, or null for no limit. */
  budgetUsd: string | null;
  /** Decimal USD booked so far. */
  totalCost: string;
}

/** What Replicate did with a booked prediction; canceled and failed predictions that ran are billed. */
export type BookedPredictionStatus = 'succeeded' | 'canceled' | 'failed';

export interface ClipCostEntry {
  jobId: string;
  clipIndex: number;
  predictionId: string;
  model: string;
  /** Decimal USD. */
  amountUsd: string;
  /** Decimal USD, the planner's estimate, kept beside the actual for reconciliation. */
  estimateUsd: string;
  source: 'actual' | 'estimate';
  predictTimeSeconds: number | null;
  /** The billing metric and unit price the amount came from, e.g. 'predict_time' at '0.001400'. */
  billingMetric: string;
  unitPriceUsd: string;
  /**
   * The billing variant the unit price is of ('pro', '768p'): the one the prediction reported, else the plan's.
   * Null (the default) for a model with a single price, and on rows booked before variants were priced.
   */
  billingVariant?: string | null;
  /** Default 'succeeded'. */
  predictionStatus?: BookedPredictionStatus;
  /** Where the unit price came from: 'catalogue:<date checked>' or 'override'. Default 'catalogue'. */
  priceSource?: string;
  /**
   * Deletes the clip's budget reservation in the same transaction. Default true: the clip's spending is now
   * booked. False when the clip may go on (another prediction after a canceled or failed one).
   */
  releaseReservation?: boolean;
}

export interface ClipCostRow extends Omit<ClipCostEntry, 'releaseReservation'> {
  predictionStatus: BookedPredictionStatus;
  priceSource: string;
  createdAt: string;
}

export interface ReservationRequest {
  jobId: string;
  clipIndex: number;
  /** Decimal USD: the most this clip's next prediction can cost. */
  amountUsd: string;
}

/** The outcome of a budget check; the job row was locked while it was computed. */
export interface ReservationResult {
  /** True when the amount fits and is now the clip's reservation; false when it would pass the budget. */
  granted: boolean;
  budgetUsd: string | null;
  bookedUsd: string;
  /** Sum of the other clips' reservations. */
  reservedUsd: string;
  /** How many other clips hold those reservations. */
  reservingClips: number;
}

export interface Reservation {
  clipIndex: number;
  amountUsd: string;
  updatedAt: string;
}

export interface BookingResult {
  /** False when this (job, clip, prediction) was already booked: nothing was added. */
  applied: boolean;
  /** The amount booked for this key (the earlier one when not applied). */
  amountUsd: string;
  /** The job's total after the booking. */
  totalCost: string;
}

/** The job cost ledger: Postgres in production, PGlite embedded by default. */
export interface CostLedger {
  /** Applies supabase/migrations that have not run yet and returns their versions. Idempotent. */
  migrate(): Promise<string[]>;
  /** Versions of supabase/migrations this database has not applied yet (all of them on an empty database). */
  pendingMigrations(): Promise<string[]>;
  /** Creates the job row when missing; sets its budget when one is given. */
  ensureJob(jobId: string, budgetUsd?: string | null): Promise<void>;
  getJob(jobId: string): Promise<JobRecord | null>;
  /** Books a clip's cost once per (job, clip, prediction) and adds it to the job's total, in one transaction. */
  bookClipCost(entry: ClipCostEntry): Promise<BookingResult>;
  listClipCosts(jobId: string): Promise<ClipCostRow[]>;
  /** The newest `limit` bookings across all jobs, newest first. */
  listRecentClipCosts(limit: number): Promise<ClipCostRow[]>;
  /** Every booking made at or after `since` (ISO 8601), oldest first. */
  listClipCostsBookedSince(since: string): Promise<ClipCostRow[]>;
  /**
   * In one transaction holding the job's row lock: compares the budget with the booked total, the other
   * clips' reservations and this estimate; when it fits, makes the estimate this clip's reservation
   * (replacing an earlier one), otherwise removes this clip's reservation. Creates the job row if missing.
   */
  reserveBudget(request: ReservationRequest): Promise<ReservationResult>;
  /** Deletes the clip's reservation; true when there was one. */
  releaseBudget(jobId: string, clipIndex: number): Promise<boolean>;
  listReservations(jobId: string): Promise<Reservation[]>;
  close(): Promise<void>;
}

/** The little the ledger needs from a database, implemented over `pg` (postgres.ts) and PGlite (pglite.ts). */

export interface SqlSession {
  /** One statement, parameters sent separately (unnamed, never prepared). */
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of several statements without parameters, e.g. a migration file. */
  exec(script: string): Promise<void>;
}

export interface TransactionOptions {
  /** Overrides the connection's statement timeout for this transaction (migrations may need longer). */
  statementTimeoutMs?: number;
}

export interface SqlDatabase {
  /** Postgres serialises concurrent migrators with an advisory lock; PGlite has a single connection. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back when it rejects. Driver errors
   * come out as DatabaseFailure, with any secret of the connection string removed.
   */
  transaction<T>(work: (session: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}
