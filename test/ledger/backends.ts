/**
 * The ledger backends the shared suites run over: PGlite in memory always, real Postgres when
 * DATABASE_URL is set. Under CI a missing DATABASE_URL is an error, so the Postgres half cannot vanish.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../../src/ledger/database';
import { openPgliteDatabase } from '../../src/ledger/pglite';
import { createPostgresDatabase } from '../../src/ledger/postgres';
import { createSqlLedger } from '../../src/ledger/sql-ledger';
import type { ClipCostEntry, CostLedger } from '../../src/ledger/types';

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

/** A booking of one SVD prediction (35.7 s at $0.0014/s), to vary per test. */
export function clipCostEntry(jobId: string, overrides: Partial<ClipCostEntry> = {}): ClipCostEntry {
  return {
    jobId,
    clipIndex: 0,
    predictionId: `pred-${randomUUID()}`,
    model: 'svd',
    amountUsd: '0.050000',
    estimateUsd: '0.084000',
    source: 'actual',
    predictTimeSeconds: 35.714286,
    billingMetric: 'predict_time',
    unitPriceUsd: '0.001400',
    ...overrides,
  };
}
