import { createPgliteLedger } from './pglite';
import { createPostgresLedger } from './postgres';
import type { CostLedger } from './types';

export { createPgliteLedger, type PgliteLedgerOptions } from './pglite';
export { createPostgresLedger, type PostgresLedgerOptions } from './postgres';
export type { BookingResult, ClipCostEntry, ClipCostRow, CostLedger, JobRecord } from './types';

export interface OpenLedgerOptions {
  /** Postgres/Supabase connection string; when set, the ledger lives there. */
  databaseUrl?: string;
  /** Otherwise PGlite persists here (in memory when undefined). */
  pgliteDir?: string;
}

/** The configured ledger with its migrations applied. */
export async function openLedger(options: OpenLedgerOptions): Promise<CostLedger> {
  const ledger = options.databaseUrl
    ? createPostgresLedger({ connectionString: options.databaseUrl })
    : await createPgliteLedger({ dataDir: options.pgliteDir });
  try {
    await ledger.migrate();
    return ledger;
  } catch (error) {
    await ledger.close().catch(() => undefined);
    throw error;
  }
}
