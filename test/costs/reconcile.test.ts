import { randomUUID } from 'node:crypto';
import { reconcile } from '../../src/costs/reconcile';
import { createPgliteLedger } from '../../src/ledger/pglite';
import type { CostLedger } from '../../src/ledger/types';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { createPredictionLister } from '../../src/replicate/list-predictions';
import { TOKEN, startTestSimulator } from '../simulator/helpers';
import { bookCorrectly, bookPlanted, plantPredictions, type PlantedPredictions } from './planted';

jest.setTimeout(60_000);

describe('reconcile against the simulator', () => {
  let planted: PlantedPredictions;
  let ledger: CostLedger;
  let since: Date;

  beforeAll(async () => {
    since = new Date(Date.now() - 1000);
    planted = await plantPredictions();
    ledger = await createPgliteLedger();
    await ledger.migrate();
    await bookPlanted(ledger, randomUUID(), planted);
  });
  afterAll(async () => {
    await ledger?.close();
    await planted?.simulator.close();
  });

  const lister = () => createPredictionLister({ apiToken: TOKEN, baseUrl: planted.simulator.baseUrl });

  it('finds each planted discrepancy, and counts what is not one', async () => {
    const report = await reconcile(ledger, lister(), { since, graceMs: 0, maxPages: 5, priceOverrides: {} });

    expect(planted.cancelledAfterRunning).toMatchObject({ status: 'canceled', predictTime: expect.any(Number) });
    expect(planted.cancelledBeforeStart).toMatchObject({ status: 'canceled', predictTime: null });
    expect(report.complete).toBe(true);
    expect(report.replicate).toEqual({ predictions: 5, otherModels: 0, inFlight: 0, notBilled: 1, recent: 0 });
    expect(report.ledger).toEqual({ rows: 3 });
    expect(report.missingFromLedger.map((missing) => missing.predictionId).sort()).toEqual(
      [planted.unbooked.id, planted.cancelledAfterRunning.id].sort(),
    );
    const cancelled = report.missingFromLedger.find((missing) => missing.status === 'canceled');
    expect(Number(cancelled?.billedUsd)).toBeGreaterThan(0);
    expect(report.unknownToReplicate).toEqual([
      expect.objectContaining({ predictionId: planted.ghostPredictionId, clipIndex: 2, amountUsd: '0.100000' }),
    ]);
    expect(report.amountMismatches).toEqual([
      expect.objectContaining({ predictionId: planted.misbooked.id, clipIndex: 1 }),
    ]);
    const [mismatch] = report.amountMismatches;
    expect(Number(mismatch.amountUsd)).toBeCloseTo(Number(mismatch.billedUsd) * 2, 5);
    expect(report.duplicateBookings).toEqual([]);
    expect(report.priceMismatches).toEqual([]);
    expect(report.discrepancies).toBe(4);
  });

  it('flags bookings at another unit price than the one in effect (here an override)', async () => {
    const report = await reconcile(ledger, lister(), {
      since,
      graceMs: 0,
      maxPages: 5,
      priceOverrides: { cogvideox: '0.002' },
    });
    // The two rows of predictions Replicate knows; the ghost row has no prediction to compare with.
    expect(report.priceMismatches.map((row) => row.predictionId).sort()).toEqual(
      [planted.booked.id, planted.misbooked.id].sort(),
    );
    expect(report.priceMismatches[0]).toMatchObject({
      billingVariant: null,
      unitPriceUsd: '0.001400',
      expectedVariant: null,
      expectedUnitPriceUsd: '0.002000',
      reason: 'booked at 0.001400 USD; cogvideox costs 0.002000 USD (override)',
    });
    expect(report.discrepancies).toBe(6);
  });

  it('leaves predictions completed within the grace period to their clips', async () => {
    const report = await reconcile(ledger, lister(), { since, graceMs: 3_600_000, maxPages: 5, priceOverrides: {} });
    expect(report.missingFromLedger).toEqual([]);
    expect(report.replicate.recent).toBe(2);
    expect(report.discrepancies).toBe(2);
  });

  it('finds a prediction booked twice, and one booked before the window by asking Replicate for it', async () => {
    const jobId = randomUUID();
    await bookCorrectly(ledger, jobId, 0, planted.unbooked);
    await bookCorrectly(ledger, jobId, 1, planted.unbooked);
    // Created before `later`, booked after it: not in the list, known on lookup, so no discrepancy.
    const later = new Date();
    await bookCorrectly(ledger, jobId, 2, planted.cancelledAfterRunning);
    const report = await reconcile(ledger, lister(), { since: later, graceMs: 0, maxPages: 5, priceOverrides: {} });
    expect(report.replicate.predictions).toBe(0);
    expect(report.unknownToReplicate).toEqual([]);
    expect(report.amountMismatches).toEqual([]);
    expect(report.duplicateBookings).toEqual([]);
    expect(report.discrepancies).toBe(0);

    const whole = await reconcile(ledger, lister(), { since, graceMs: 0, maxPages: 5, priceOverrides: {} });
    expect(whole.duplicateBookings.map((booking) => [booking.predictionId, booking.clipIndex])).toEqual([
      [planted.unbooked.id, 0],
      [planted.unbooked.id, 1],
    ]);
    expect(whole.missingFromLedger).toEqual([]);
  });
});

describe('reconcile over many pages', () => {
  it('reads every page of a long list, and says when the page limit cut it short', async () => {
    const simulator = await startTestSimulator({ startSeconds: 120 });
    const ledger = await createPgliteLedger();
    try {
      await ledger.migrate();
      const since = new Date(Date.now() - 1000);
      const gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: simulator.baseUrl });
      for (let seed = 0; seed < 105; seed++) {
        await gateway.createPrediction(
          { model: 'cogvideox', input: { prompt: 'many', seed }, idempotencyToken: `many-${seed}` },
          undefined,
          { lookupExisting: false },
        );
      }
      const lister = createPredictionLister({ apiToken: TOKEN, baseUrl: simulator.baseUrl });
      const whole = await reconcile(ledger, lister, { since, graceMs: 0, maxPages: 5, priceOverrides: {} });
      expect(whole).toMatchObject({ complete: true, discrepancies: 0 });
      expect(whole.replicate).toMatchObject({ predictions: 105, inFlight: 105 });

      const cut = await reconcile(ledger, lister, { since, graceMs: 0, maxPages: 1, priceOverrides: {} });
      expect(cut).toMatchObject({ complete: false, replicate: expect.objectContaining({ predictions: 100 }) });
    } finally {
      await ledger.close();
      await simulator.close();
    }
  });
});
