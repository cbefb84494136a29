import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openActivityDeps } from '../../src/dependencies';
import { LedgerNotMigratedError, openLedger } from '../../src/ledger';
import { defaultMigrationsDirectory, readMigrationFiles } from '../../src/ledger/migrations';
import { createPgliteLedger } from '../../src/ledger/pglite';
import { createPostgresLedger } from '../../src/ledger/postgres';
import { describePostgres } from './backends';

describe('openLedger', () => {
  it('opens a migrated in-memory PGlite ledger when given nothing', async () => {
    const ledger = await openLedger({});
    try {
      const jobId = randomUUID();
      await ledger.ensureJob(jobId, '1');
      expect(await ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: '1.000000', totalCost: '0.000000' });
    } finally {
      await ledger.close();
    }
  });

  it('persists to pgliteDir when no databaseUrl is set', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'clipgen-open-ledger-'));
    const pgliteDir = path.join(parent, 'ledger');
    const jobId = randomUUID();
    try {
      const ledger = await openLedger({ databaseUrl: '', pgliteDir });
      await ledger.ensureJob(jobId);
      await ledger.close();
      const direct = await createPgliteLedger({ dataDir: pgliteDir });
      expect(await direct.getJob(jobId)).not.toBeNull();
      await direct.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  describePostgres('with PostgreSQL', (databaseUrl) => {
    it('uses Postgres when databaseUrl is set, even with a pgliteDir', async () => {
      const parent = mkdtempSync(path.join(tmpdir(), 'clipgen-open-ledger-'));
      const jobId = randomUUID();
      try {
        const ledger = await openLedger({ databaseUrl, pgliteDir: path.join(parent, 'unused') });
        await ledger.ensureJob(jobId, '2');
        await ledger.close();
        const direct = createPostgresLedger({ connectionString: databaseUrl });
        expect(await direct.getJob(jobId)).toEqual({ id: jobId, budgetUsd: '2.000000', totalCost: '0.000000' });
        await direct.close();
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  });

  it('closes the ledger and reports the failure when migrating fails', async () => {
    const unreachable = 'postgres://clipgen:hunter2@127.0.0.1:1/clipgen_test';
    await expect(openLedger({ databaseUrl: unreachable })).rejects.toMatchObject({
      type: 'RetryableError',
      message: expect.stringMatching(/^Cost ledger could not apply the migrations: .*ECONNREFUSED/),
    });
  });
});

describe("the worker's ledger", () => {
  it('is migrated at start by default, and only checked with LEDGER_MIGRATE_ON_START=false', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'clipgen-worker-ledger-'));
    const config = (migrateOnStart: string) =>
      loadConfig({ CLIPGEN_DATA_DIR: dataDir, LEDGER_MIGRATE_ON_START: migrateOnStart }, dataDir);
    try {
      // openLedger({ migrate: false }) applies nothing, names what is pending, and releases the directory.
      const unmigrated = openActivityDeps(config('false'));
      await expect(unmigrated).rejects.toBeInstanceOf(LedgerNotMigratedError);
      await expect(unmigrated).rejects.toMatchObject({
        pending: readMigrationFiles(defaultMigrationsDirectory()).map((file) => file.version),
        message: expect.stringContaining('run "clipgen migrate"'),
      });
      const opened = await openActivityDeps(config('true'));
      expect(await opened.deps.ledger.pendingMigrations()).toEqual([]);
      await opened.close();
      await (await openActivityDeps(config('false'))).close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
