export interface JobRecord {
  id: string;
  /** Decimal USD, or null for no limit. */
  budgetUsd: string | null;
  /** Decimal USD booked so far. */
  totalCost: string;
}

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
}

export interface ClipCostRow extends ClipCostEntry {
  createdAt: string;
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
  /** Applies supabase/migrations that have not run yet. Idempotent. */
  migrate(): Promise<void>;
  /** Creates the job row when missing; sets its budget when one is given. */
  ensureJob(jobId: string, budgetUsd?: string | null): Promise<void>;
  getJob(jobId: string): Promise<JobRecord | null>;
  /** Books a clip's cost once per (job, clip, prediction) and adds it to the job's total, in one transaction. */
  bookClipCost(entry: ClipCostEntry): Promise<BookingResult>;
  listClipCosts(jobId: string): Promise<ClipCostRow[]>;
  close(): Promise<void>;
}
