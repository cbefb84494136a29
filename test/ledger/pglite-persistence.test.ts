import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgliteLedger, pgliteTemplatePath } from '../../src/ledger/pglite';
import type { CostLedger } from '../../src/ledger/types';

/** Migrates the ledger and books one prediction of a new job with a 5 USD budget. */
async function bookOne(ledger: CostLedger, jobId: string, predictionId = `p-${jobId}`): Promise<void> {
  await ledger.migrate();
  await ledger.ensureJob(jobId, '5');
  await ledger.bookClipCost({
    jobId,
    clipIndex: 0,
    predictionId,
    model: 'svd',
    amountUsd: '0.006278',
    estimateUsd: '0.042000',
    source: 'actual',
    predictTimeSeconds: 4.484541,
    billingMetric: 'predict_time',
    unitPriceUsd: '0.001400',
  });
}

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

describe('a new PGlite database starts from a cached empty cluster', () => {
  let cacheHome: string;
  const savedCacheHome = process.env.XDG_CACHE_HOME;

  beforeEach(() => {
    cacheHome = mkdtempSync(path.join(tmpdir(), 'clipgen-cache-'));
    process.env.XDG_CACHE_HOME = cacheHome;
  });
  afterEach(() => {
    if (savedCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCacheHome;
    rmSync(cacheHome, { recursive: true, force: true });
  });

  it('leaves the template on the first opening, reuses it untouched, and shares no rows between databases', async () => {
    const templatePath = pgliteTemplatePath();
    expect(templatePath.startsWith(cacheHome)).toBe(true);
    const first = await createPgliteLedger();
    const firstJob = randomUUID();
    try {
      await bookOne(first, firstJob);
    } finally {
      await first.close();
    }
    const template = statSync(templatePath);

    const second = await createPgliteLedger();
    try {
      await bookOne(second, randomUUID());
      expect(await second.getJob(firstJob)).toBeNull();
    } finally {
      await second.close();
    }
    // Loaded, not rewritten: a template that failed to load would have been replaced.
    expect(statSync(templatePath)).toMatchObject({ ino: template.ino, mtimeMs: template.mtimeMs });
  });

  it('unpacks the template into a new data directory, which keeps its rows across a reopening', async () => {
    const memory = await createPgliteLedger();
    await memory.close();
    const template = statSync(pgliteTemplatePath());
    const dataDir = path.join(cacheHome, 'ledger');
    const jobId = randomUUID();

    const first = await createPgliteLedger({ dataDir });
    try {
      await bookOne(first, jobId);
    } finally {
      await first.close();
    }
    const reopened = await createPgliteLedger({ dataDir });
    try {
      expect(await reopened.getJob(jobId)).toEqual({ id: jobId, budgetUsd: '5.000000', totalCost: '0.006278' });
    } finally {
      await reopened.close();
    }
    expect(statSync(pgliteTemplatePath())).toMatchObject({ ino: template.ino, mtimeMs: template.mtimeMs });
  });

  it('replaces a template that does not load, in memory and in a new data directory', async () => {
    const templatePath = pgliteTemplatePath();
    mkdirSync(path.dirname(templatePath), { recursive: true });
    for (const dataDir of [undefined, path.join(cacheHome, 'ledger')]) {
      writeFileSync(templatePath, 'not a tarball');
      const ledger = await createPgliteLedger({ dataDir });
      try {
        await bookOne(ledger, randomUUID());
      } finally {
        await ledger.close();
      }
      expect(readFileSync(templatePath).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    }
  });

  it('opens without a cache folder it can write', async () => {
    writeFileSync(path.join(cacheHome, 'clipgen'), 'a file where the folder would be');
    const ledger = await createPgliteLedger();
    try {
      await bookOne(ledger, randomUUID());
    } finally {
      await ledger.close();
    }
  });
});
