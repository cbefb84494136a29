import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLedger } from '../../src/ledger';
import { defaultMigrationsDirectory, readMigrationFiles } from '../../src/ledger/migrations';
import type { ClipCostEntry } from '../../src/ledger/types';
import { clipCostEntry, describePostgres } from '../ledger/backends';
import { runCli } from './run-cli';

jest.setTimeout(120_000);

const MIGRATIONS = readMigrationFiles(defaultMigrationsDirectory()).map((file) => `${file.version}_${file.name}`);

function entry(jobId: string, overrides: Partial<ClipCostEntry>): ClipCostEntry {
  return clipCostEntry(jobId, { priceSource: 'catalogue:2026-11-25', ...overrides });
}

describe('clipgen migrate and cost on a PGlite directory', () => {
  let parent: string;
  let pgliteDir: string;
  const jobId = randomUUID();
  const env = () => ({ DATABASE_URL: '', PGLITE_DIR: pgliteDir, CLIPGEN_DATA_DIR: parent });

  beforeAll(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'clipgen-cli-cost-'));
    pgliteDir = path.join(parent, 'ledger');
  });
  afterAll(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  it('refuses to read a ledger that lacks migrations, saying what to run', async () => {
    const result = await runCli(['cost', '--job-id', jobId], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`lacks ${MIGRATIONS.length} migration(s)`);
    expect(result.stderr).toContain('run "clipgen migrate"');
  });

  it('migrate applies every migration once, naming each', async () => {
    const first = await runCli(['migrate'], env());
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      `Applied ${MIGRATIONS.length} migration(s) to PGlite in ${pgliteDir}:\n` +
        `${MIGRATIONS.map((name) => `  ${name}`).join('\n')}\n`,
    );
    const again = await runCli(['migrate'], env());
    expect(again.stdout).toBe(`PGlite in ${pgliteDir} is up to date; nothing to apply.\n`);
  });

  it('cost --job-id prints each booking beside its estimate, the reservations and the total', async () => {
    const ledger = await openLedger({ pgliteDir });
    try {
      await ledger.ensureJob(jobId, '1');
      await ledger.bookClipCost(entry(jobId, { clipIndex: 0, predictionId: 'predzero', amountUsd: '0.100800' }));
      await ledger.bookClipCost(
        entry(jobId, {
          clipIndex: 1,
          predictionId: 'predone',
          model: 'cogvideox',
          amountUsd: '0.021000',
          estimateUsd: '0.252000',
          predictTimeSeconds: 15,
          predictionStatus: 'canceled',
          priceSource: 'override',
        }),
      );
      await ledger.reserveBudget({ jobId, clipIndex: 2, amountUsd: '0.084' });
    } finally {
      await ledger.close();
    }

    const text = await runCli(['cost', '--job-id', jobId], env());
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `Job ${jobId}`,
      '  budget    1.000000 USD',
      '  booked    0.121800 USD',
      '  reserved  0.084000 USD (1 clip in flight)',
    ]);
    expect(lines[5]).toMatch(/^clip +model +prediction +status +actual USD +estimate USD +error +source +price$/);
    expect(lines[6]).toMatch(
      /^ +0 +svd +predzero +succeeded +0\.100800 +0\.084000 +\+20\.0% +actual +0\.001400\/s \(catalogue:2026-11-25\)$/,
    );
    expect(lines[7]).toMatch(
      /^ +1 +cogvideox +predone +canceled +0\.021000 +0\.252000 +-91\.7% +actual +0\.001400\/s \(override\)$/,
    );
    expect(text.stdout).toContain('Total  0.121800 USD actual, 0.336000 USD estimated');

    const json = await runCli(['cost', '--job-id', jobId, '--json'], env());
    expect(JSON.parse(json.stdout)).toMatchObject({
      jobId,
      budgetUsd: '1.000000',
      bookedUsd: '0.121800',
      reservedUsd: '0.084000',
      clipsTotalUsd: '0.121800',
      clips: [
        { clipIndex: 0, predictionId: 'predzero', source: 'actual', error: expect.closeTo(0.2, 6) },
        { clipIndex: 1, predictionStatus: 'canceled' },
      ],
    });
  });

  it('cost --report gives the estimate error distribution of the last N bookings', async () => {
    const result = await runCli(['cost', '--report', '--last', '10', '--json'], env());
    expect(result.code).toBe(0);
    // The canceled booking stopped early and says nothing about the estimate.
    expect(JSON.parse(result.stdout)).toEqual({
      rows: 2,
      overall: {
        count: 1,
        mean: expect.closeTo(0.2, 6),
        median: expect.closeTo(0.2, 6),
        p90: expect.closeTo(0.2, 6),
        withinTolerance: 1,
        meanSigned: expect.closeTo(0.2, 6),
      },
      byModel: { svd: expect.objectContaining({ count: 1 }) },
      excluded: { bookedFromEstimate: 0, stoppedEarly: 1, zeroEstimate: 0 },
    });
    const text = await runCli(['cost', '--report', '--last', '1'], env());
    expect(text.stdout).toContain('Estimate error over the last 1 of up to 1 bookings');
    expect(text.stdout).toMatch(/^all +0 +— +— +— +— +—$/m);
  });

  it('cost --set-budget sets or removes a job budget, creating the job', async () => {
    const newJob = randomUUID();
    const set = await runCli(['cost', '--job-id', newJob, '--set-budget', '2.5', '--json'], env());
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ jobId: newJob, budgetUsd: '2.500000', bookedUsd: '0.000000' });
    const removed = await runCli(['cost', '--job-id', newJob, '--set-budget', 'none'], env());
    expect(removed.stdout).toContain('  budget    none\n');
    expect(removed.stdout).toContain('No costs booked yet.');
  });

  it('explains, rather than corrupting it, that a running worker holds the PGlite directory', async () => {
    const held = await openLedger({ pgliteDir });
    try {
      const result = await runCli(['cost', '--job-id', jobId], env());
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`The PGlite ledger ${pgliteDir} is open in process ${process.pid}`);
      expect(result.stderr).toContain('DATABASE_URL');
    } finally {
      await held.close();
    }
  });

  it('explains usage mistakes with exit code 2, and prints --help', async () => {
    const neither = await runCli(['cost'], env());
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('Give either --job-id or --report');
    const badId = await runCli(['cost', '--job-id', 'job-7'], env());
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--job-id must be a UUID');
    const badBudget = await runCli(['cost', '--job-id', jobId, '--set-budget', '0.0000001'], env());
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toContain('--set-budget must have at most 6 decimals, as the ledger keeps them');
    const help = await runCli(['migrate', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: clipgen migrate [--dry-run]');
  });
});

describePostgres('clipgen migrate and cost on Postgres', (databaseUrl) => {
  it('migrate leaves the schema up to date without printing the password; cost reads a job', async () => {
    const env = { DATABASE_URL: databaseUrl };
    const migrated = await runCli(['migrate'], env);
    expect(migrated.code).toBe(0);
    const password = new URL(databaseUrl).password;
    expect(migrated.stdout).toMatch(/^(Applied|Postgres postgres:\/\/)/);
    expect(migrated.stdout).toContain(':***@');
    if (password) expect(migrated.stdout + migrated.stderr).not.toContain(`:${password}@`);

    const jobId = randomUUID();
    const ledger = await openLedger({ databaseUrl });
    try {
      await ledger.bookClipCost(entry(jobId, { amountUsd: '0.042000' }));
    } finally {
      await ledger.close();
    }
    const cost = await runCli(['cost', '--job-id', jobId, '--json'], env);
    expect(cost.code).toBe(0);
    expect(JSON.parse(cost.stdout)).toMatchObject({ jobId, budgetUsd: null, bookedUsd: '0.042000' });
  });
});
