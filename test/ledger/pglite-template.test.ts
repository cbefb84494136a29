/**
 * A new PGlite database starts from a cached empty cluster instead of running initdb; these tests run initdb four
 * times (about 7 s of CPU each), in a cache folder of their own.
 *
 * @slow
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgliteLedger, pgliteTemplatePath } from '../../src/ledger/pglite';
import { bookOne } from './backends';

/** The template of the cache folder the other tests use, when one of them has left it. */
const sharedTemplate = pgliteTemplatePath();

/** A template in this test's cache folder: a copy of the shared one when there is one (initdb costs seconds). */
async function seedTemplate(): Promise<void> {
  try {
    mkdirSync(path.dirname(pgliteTemplatePath()), { recursive: true });
    copyFileSync(sharedTemplate, pgliteTemplatePath());
  } catch {
    const ledger = await createPgliteLedger();
    await ledger.close();
  }
}

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
    await seedTemplate();
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
