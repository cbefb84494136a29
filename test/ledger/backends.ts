/**
 * The ledger backends the shared suites run over: PGlite in memory always, real Postgres when
 * DATABASE_URL is set. Under CI a missing DATABASE_URL is an error, so the Postgres half cannot vanish.
 */
import type { SqlDatabase } from '../../src/ledger/database';
import { openPgliteDatabase } from '../../src/ledger/pglite';
import { createPostgresDatabase } from '../../src/ledger/postgres';
import { createSqlLedger } from '../../src/ledger/sql-ledger';
import type { CostLedger } from '../../src/ledger/types';

export interface OpenedLedger {
  ledger: CostLedger;
  /** Direct SQL on the same database, for assertions the ledger API does not offer. Closed with the ledger. */
  db: SqlDatabase;
}

export interface LedgerBackend {
  name: 'pglite' | 'postgres';
  /** A migrated ledger. PGlite: a fresh in-memory database each time; Postgres: the shared test database. */
  open(): Promise<OpenedLedger>;
}

export function postgresTestUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  if (!url && process.env.CI) {
    throw new Error('DATABASE_URL is not set: in CI the ledger tests must run against PostgreSQL (see .ci/run)');
  }
  return url || undefined;
}

export function ledgerBackends(): LedgerBackend[] {
  const postgresUrl = postgresTestUrl();
  const backends: LedgerBackend[] = [{ name: 'pglite', open: () => openMigrated(openPgliteDatabase()) }];
  if (postgresUrl) {
    backends.push({
      name: 'postgres',
      // A pool wide enough that concurrent bookings really run in parallel transactions.
      open: () => openMigrated(Promise.resolve(createPostgresDatabase({ connectionString: postgresUrl, max: 12 }))),
    });
  }
  return backends;
}

async function openMigrated(opening: Promise<SqlDatabase>): Promise<OpenedLedger> {
  const db = await opening;
  const ledger = createSqlLedger(db);
  await ledger.migrate();
  return { ledger, db };
}
