import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlDatabase, CostLedger } from '../../src/ledger/types';
import { openPgliteDatabase } from '../../src/ledger/pglite';
import { createSqlLedger } from '../../src/ledger/sql-ledger';
import { TOKEN } from '../simulator/helpers';
import { bookCorrectly, bookPlanted, plantPredictions, type PlantedPredictions } from '../costs/planted';
import { runCli } from './run-cli';

jest.setTimeout(120_000);

/** `clipgen reconcile` against the simulator, with discrepancies planted in a PGlite ledger. */
describe('clipgen reconcile', () => {
  let planted: PlantedPredictions;
  let parent: string;
  let since: string;
  const jobId = randomUUID();
  const env = () => ({
    DATABASE_URL: '',
    PGLITE_DIR: path.join(parent, 'ledger'),
    CLIPGEN_DATA_DIR: parent,
    REPLICATE_BASE_URL: planted.simulator.baseUrl,
    REPLICATE_API_TOKEN: TOKEN,
  });

  /** The PGlite directory, for as long as `work` runs (the CLI cannot open it meanwhile). */
  async function withLedger(work: (ledger: CostLedger, db: SqlDatabase) => Promise<void>) {
    const db = await openPgliteDatabase({ dataDir: path.join(parent, 'ledger') });
    const ledger = createSqlLedger(db);
    try {
      await ledger.migrate();
      await work(ledger, db);
    } finally {
      await ledger.close();
    }
  }

  beforeAll(async () => {
    parent = mkdtempSync(path.join(tmpdir(), 'clipgen-cli-reconcile-'));
    since = new Date(Date.now() - 1000).toISOString();
    planted = await plantPredictions();
    await withLedger((ledger) => bookPlanted(ledger, jobId, planted));
  });
  afterAll(async () => {
    await planted?.simulator.close();
    rmSync(parent, { recursive: true, force: true });
  });

  it('lists what Replicate billed that the ledger lacks, and rows Replicate does not know; exit code 1', async () => {
    const result = await runCli(['reconcile', '--since', since, '--grace', '0', '--json'], env());

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.missingFromLedger.map((missing: { predictionId: string }) => missing.predictionId).sort()).toEqual(
      [planted.unbooked.id, planted.cancelledAfterRunning.id].sort(),
    );
    expect(report.unknownToReplicate).toEqual([
      expect.objectContaining({ jobId, clipIndex: 2, predictionId: planted.ghostPredictionId }),
    ]);
    expect(report.amountMismatches).toEqual([expect.objectContaining({ predictionId: planted.misbooked.id })]);
    expect(report.priceMismatches).toEqual([]);
    expect(report.replicate).toEqual({ predictions: 5, otherModels: 0, inFlight: 0, notBilled: 1, recent: 0 });
    expect(report.discrepancies).toBe(4);
  });

  it('agrees, with exit code 0, once the ledger is put right', async () => {
    await withLedger(async (ledger, db) => {
      await bookCorrectly(ledger, jobId, 3, planted.unbooked);
      await bookCorrectly(ledger, jobId, 4, planted.cancelledAfterRunning);
      await db.transaction((session) =>
        session.query(`delete from public.clip_costs where job_id = $1 and clip_index in (1, 2)`, [jobId]),
      );
      await bookCorrectly(ledger, jobId, 1, planted.misbooked);
    });

    const result = await runCli(['reconcile', '--since', since, '--grace', '0'], env());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Predictions created since ${since}: 5 on Replicate (0 of other models)`);
    expect(result.stdout).toContain('1 not billed (aborted or stopped before running)');
    expect(result.stdout).toContain('Ledger and Replicate agree.');
  });

  it('flags bookings at another unit price than CLIPGEN_PRICE_OVERRIDES sets; exit code 1', async () => {
    const result = await runCli(['reconcile', '--since', since, '--grace', '0'], {
      ...env(),
      CLIPGEN_PRICE_OVERRIDES: 'cogvideox=0.0015',
    });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Booked variant or unit price differs from the catalogue (4):');
    expect(result.stdout).toContain('booked at 0.001400 USD; cogvideox costs 0.001500 USD (override)');
    expect(result.stdout).toContain('4 discrepancies.');
  });

  it('explains a missing or malformed --since with exit code 2', async () => {
    const missing = await runCli(['reconcile'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--since is required');
    const malformed = await runCli(['reconcile', '--since', 'last tuesday'], env());
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--since must be an ISO 8601 date or date-time (got "last tuesday")');
  });
});
