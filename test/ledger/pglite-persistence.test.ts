/**
 * A PGlite ledger in a data directory: what it keeps across a reopening, and the lock that keeps a second process out.
 * The template it starts from: pglite-template.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgliteLedger } from '../../src/ledger/pglite';
import { bookOne } from './backends';

describe('a PGlite ledger in a data directory', () => {
  let parent: string;
  let dataDir: string;

  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'clipgen-pglite-'));
    dataDir = path.join(parent, 'nested', 'ledger');
  });
  afterEach(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it('keeps jobs and bookings across close and reopen', async () => {
    const jobId = randomUUID();
    const first = await createPgliteLedger({ dataDir });
    await bookOne(first, jobId, 'p-persist');
    await first.close();

    const reopened = await createPgliteLedger({ dataDir });
    try {
      await reopened.migrate();
      expect(await reopened.getJob(jobId)).toEqual({ id: jobId, budgetUsd: '5.000000', totalCost: '0.006278' });
      expect((await reopened.listClipCosts(jobId)).map((row) => row.predictionId)).toEqual(['p-persist']);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a second opening while the first is open, naming the owner, and frees it on close', async () => {
    const first = await createPgliteLedger({ dataDir });
    try {
      await expect(createPgliteLedger({ dataDir })).rejects.toThrow(
        new RegExp(`open in process ${process.pid}; PGlite allows one process per data directory`),
      );
    } finally {
      await first.close();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    const second = await createPgliteLedger({ dataDir });
    await second.close();
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const lockPath = `${dataDir}.lock`;
    const goneProcess = 2 ** 22 + 12345; // above Linux's largest pid
    const first = await createPgliteLedger({ dataDir });
    await first.close();
    writeFileSync(lockPath, String(goneProcess));

    const ledger = await createPgliteLedger({ dataDir });
    try {
      expect(readFileSync(lockPath, 'utf8')).toBe(String(process.pid));
      await ledger.migrate();
    } finally {
      await ledger.close();
    }
  });
});
