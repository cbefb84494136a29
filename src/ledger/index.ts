import { LedgerNotMigratedError } from './errors';
import { createPgliteLedger } from './pglite';
import { createPostgresLedger } from './postgres';
import type { CostLedger } from './types';

export { LedgerNotMigratedError } from './errors';
export { createPgliteLedger, type PgliteLedgerOptions } from './pglite';
export { createPostgresLedger, type PostgresLedgerOptions } from './postgres';
export type {
  BookingResult,
  ClipCostEntry,
  ClipCostRow,
  CostLedger,
  JobRecord,
  Reservation,
  ReservationResult,
} from './types';

export interface OpenLedgerOptions {
  /** Postgres/Supabase connection string; when set, the ledger lives there. */
  databaseUrl?: string;
  /** Otherwise PGlite persists here (in memory when undefined). */
  pgliteDir?: string;
  /**
   * Default true: apply pending migrations. False: apply none, and fail with LedgerNotMigratedError when any
   * are pending (the schema is someone else's to deploy, e.g. `supabase db push` or `clipgen migrate`).
   */
  migrate?: boolean;
}

/** The configured ledger, with its migrations applied (or checked, with `migrate: false`). */
export async function openLedger(options: OpenLedgerOptions): Promise<CostLedger> {
  const ledger = options.databaseUrl
    ? createPostgresLedger({ connectionString: options.databaseUrl })
    : await createPgliteLedger({ dataDir: options.pgliteDir });
  try {
    if (options.migrate ?? true) {
      await ledger.migrate();
    } else {
      const pending = await ledger.pendingMigrations();
      if (pending.length > 0) throw new LedgerNotMigratedError(pending);
    }
    return ledger;
  } catch (error) {
    await ledger.close().catch(() => undefined);
    throw error;
  }
}
