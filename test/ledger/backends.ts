/**
 * The ledger backends the shared suites run over: PGlite in memory always, real Postgres when DATABASE_URL is set.
 * Without it the Postgres suites show as skipped, saying why; under CI a missing DATABASE_URL is an error, so the
 * Postgres half cannot vanish there.
 */
import { randomUUID } from 'node:crypto';
import { openLedger } from '../../src/ledger';
import type { SqlDatabase, ClipCostEntry, CostLedger } from '../../src/ledger/types';
import { openPgliteDatabase } from '../../src/ledger/pglite';
import { createPostgresDatabase } from '../../src/ledger/postgres';
import { createSqlLedger } from '../../src/ledger/sql-ledger';

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

/**
 * The ledger a test's clips book into, as the CLI chooses its own: the PostgreSQL test database when DATABASE_URL is
 * set (tests keep apart by job id), else PGlite in memory. Opening PGlite costs about 1.6 s of CPU, and some thirty
 * test files open one; the ledger suites above cover both backends either way.
 */
export function openTestLedger(): Promise<CostLedger> {
  return openLedger({ databaseUrl: postgresTestUrl() });
}

/** The name a Postgres suite carries when it is skipped, so the run says what it left out and how to run it. */
export const NEEDS_POSTGRES = 'skipped: needs PostgreSQL, set DATABASE_URL (docs/testing.md)';

/** A describe block against PostgreSQL; without DATABASE_URL it is reported as skipped, with the reason in its name. */
export function describePostgres(name: string, body: (databaseUrl: string) => void): void {
  const databaseUrl = postgresTestUrl();
  const describeOrSkip = databaseUrl ? describe : describe.skip;
  describeOrSkip(databaseUrl ? name : `${name} (${NEEDS_POSTGRES})`, () => body(databaseUrl ?? ''));
}

/** The same suite over each ledger backend: PGlite always, and PostgreSQL (or its visible skip). */
export function describeEachLedger(name: string, body: (backend: LedgerBackend) => void): void {
  describe(`${name} on the pglite ledger`, () =>
    body({ name: 'pglite', open: () => openMigrated(openPgliteDatabase()) }));
  describePostgres(`${name} on the postgres ledger`, (databaseUrl) =>
    body({
      name: 'postgres',
      // A pool wide enough that concurrent bookings really run in parallel transactions.
      open: () => openMigrated(Promise.resolve(createPostgresDatabase({ connectionString: databaseUrl, max: 12 }))),
    }),
  );
}

/**
 * A test of concurrent transactions (row locks, lost updates). PGlite runs one transaction at a time, so there it
 * could not fail: it runs on PostgreSQL only, and on PGlite shows as skipped, saying why.
 */
export function itConcurrent(backend: LedgerBackend, name: string, fn: () => Promise<void>): void {
  if (backend.name === 'postgres') it(`${name} (parallel transactions on PostgreSQL)`, fn);
  else it.skip(`${name} (skipped on PGlite: it runs one transaction at a time; PostgreSQL runs this)`, fn);
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

/** Migrates the ledger and books one prediction ($0.006278) of a new job with a 5 USD budget. */
export async function bookOne(ledger: CostLedger, jobId: string, predictionId = `p-${jobId}`): Promise<void> {
  await ledger.migrate();
  await ledger.ensureJob(jobId, '5');
  await ledger.bookClipCost(clipCostEntry(jobId, { predictionId, amountUsd: '0.006278' }));
}
