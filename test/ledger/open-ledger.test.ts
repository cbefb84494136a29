import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLedger } from '../../src/ledger';
import { createPgliteLedger } from '../../src/ledger/pglite';
import { createPostgresLedger } from '../../src/ledger/postgres';
import { postgresTestUrl } from './backends';

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

  const postgresUrl = postgresTestUrl();
  for (const databaseUrl of postgresUrl ? [postgresUrl] : []) {
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
  }

  it('closes the ledger and reports the failure when migrating fails', async () => {
    const unreachable = 'postgres://clipgen:hunter2@127.0.0.1:1/clipgen_test';
    await expect(openLedger({ databaseUrl: unreachable })).rejects.toMatchObject({
      type: 'RetryableError',
      message: expect.stringMatching(/^Cost ledger could not apply the migrations: .*ECONNREFUSED/),
    });
  });
});
