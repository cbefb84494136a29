/**
 * Official models' billing variants end to end, against the simulator: it reports the variant metric a real official
 * video prediction reports, the gateway keeps it in the snapshot, the booking prices that variant, and reconcile
 * flags a booking whose variant or unit price disagrees with it.
 */
import { randomUUID } from 'node:crypto';
import { reconcile } from '../../src/costs/reconcile';
import { billedClipCost } from '../../src/domain/billing';
import { planClip, type ModelPlan } from '../../src/domain/catalogue';
import { isTerminalStatus, type PredictionSnapshot } from '../../src/domain/types';
import { createPgliteLedger } from '../../src/ledger/pglite';
import type { ClipCostEntry, CostLedger } from '../../src/ledger/types';
import { createReplicateGateway, type ReplicateGateway } from '../../src/replicate/gateway';
import { createPredictionLister } from '../../src/replicate/list-predictions';
import type { Simulator } from '../../simulator';
import { TOKEN, getJson, makePng, startTestServer, startTestSimulator, type TestServer } from '../simulator/helpers';

jest.setTimeout(90_000);

interface Run {
  plan: ModelPlan;
  prediction: PredictionSnapshot;
}

describe('billing variants of official models, against the simulator', () => {
  let sim: Simulator;
  let images: TestServer;
  let gateway: ReplicateGateway;
  let since: Date;
  const runs: Record<'klingPro' | 'klingStandard' | 'hailuo768' | 'hailuoDefault' | 'cogvideox', Run> = {} as never;

  async function run(plan: ModelPlan): Promise<Run> {
    const created = await gateway.createPrediction(
      { model: plan.model, input: plan.input, idempotencyToken: randomUUID() },
      undefined,
      { lookupExisting: false },
    );
    for (let polls = 0; polls < 600; polls++) {
      const prediction = await gateway.getPrediction(plan.model, created.id);
      if (isTerminalStatus(prediction.status)) return { plan, prediction };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`prediction ${created.id} did not finish`);
  }

  beforeAll(async () => {
    const frame = await makePng(160, 90, 'blue');
    images = await startTestServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(frame);
    });
    sim = await startTestSimulator({ token: TOKEN, renderScale: 0.05 });
    gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: sim.baseUrl });
    since = new Date(Date.now() - 1000);
    const clip = { clipIndex: 0, prompt: 'a heron over a marsh', duration: 5, imageUrl: `${images.url}/frame.png` };
    const textClip = { clipIndex: 0, prompt: 'a heron over a marsh', duration: 10 };
    [runs.klingPro, runs.klingStandard, runs.hailuo768, runs.hailuoDefault, runs.cogvideox] = await Promise.all([
      run(planClip('kling-v2.1', clip, { resolution: '1080p' })),
      run(planClip('kling-v2.1', clip)),
      run(planClip('hailuo-02', textClip)),
      run(planClip('hailuo-02', { ...textClip, duration: 6 })),
      run(planClip('cogvideox', { ...textClip, duration: 6 })),
    ]);
    for (const { prediction } of Object.values(runs))
      expect([prediction.status, prediction.error]).toEqual(['succeeded', null]);
  });
  afterAll(async () => {
    await sim?.close();
    await images?.close();
  });

  it('reports resolution_target beside video_output_duration_seconds, as a real official prediction does', async () => {
    const metricsOf = async ({ prediction }: Run) =>
      (await getJson(`${sim.baseUrl}/predictions/${prediction.id}`)).json.metrics as Record<string, unknown>;
    expect(await metricsOf(runs.klingPro)).toEqual({
      predict_time: expect.any(Number),
      total_time: expect.any(Number),
      video_output_duration_seconds: 5,
      resolution_target: '1080p',
    });
    expect(await metricsOf(runs.klingStandard)).toMatchObject({ resolution_target: '720p' });
    expect(await metricsOf(runs.hailuo768)).toMatchObject({
      video_output_duration_seconds: 10,
      resolution_target: '768p',
    });
    expect(await metricsOf(runs.hailuoDefault)).toMatchObject({ resolution_target: '1080p' });
    expect(await metricsOf(runs.cogvideox)).not.toHaveProperty('resolution_target');

    // The gateway's snapshot keeps it; a metric a model does not report is absent, not an error.
    expect(runs.klingPro.prediction).toMatchObject({ videoOutputDurationSeconds: 5, resolutionTarget: '1080p' });
    expect(runs.hailuo768.prediction.resolutionTarget).toBe('768p');
    expect(runs.klingPro.prediction.modelVariant).toBeUndefined();
    expect(runs.cogvideox.prediction.resolutionTarget).toBeUndefined();
  });

  it('books each prediction at the variant it reports', () => {
    const booked = ({ plan, prediction }: Run, plannedVariant = plan.variant) =>
      billedClipCost(prediction, plan.estimatedCostUsd, {}, plannedVariant);
    expect(booked(runs.klingPro)).toMatchObject({ amountUsd: '0.450000', billingVariant: 'pro', source: 'actual' });
    expect(booked(runs.klingStandard)).toMatchObject({ amountUsd: '0.250000', billingVariant: 'standard' });
    expect(booked(runs.hailuo768)).toMatchObject({ amountUsd: '0.700000', billingVariant: '768p' });
    expect(booked(runs.hailuoDefault)).toMatchObject({ amountUsd: '0.480000', billingVariant: '1080p' });
    // What the prediction reports wins over a plan that says otherwise.
    expect(booked(runs.klingPro, 'standard')).toMatchObject({ amountUsd: '0.450000', billingVariant: 'pro' });
  });

  describe('reconcile', () => {
    let ledger: CostLedger;
    const jobId = randomUUID();

    async function book(clipIndex: number, { plan, prediction }: Run, overrides: Partial<ClipCostEntry> = {}) {
      const cost = billedClipCost(prediction, plan.estimatedCostUsd, {}, plan.variant);
      if (cost === null) throw new Error(`prediction ${prediction.id} has no cost`);
      await ledger.bookClipCost({
        jobId,
        clipIndex,
        predictionId: prediction.id,
        model: prediction.model,
        amountUsd: cost.amountUsd,
        estimateUsd: plan.estimatedCostUsd,
        source: cost.source,
        predictTimeSeconds: prediction.predictTime,
        billingMetric: cost.billingMetric,
        unitPriceUsd: cost.unitPriceUsd,
        billingVariant: cost.billingVariant,
        predictionStatus: cost.predictionStatus,
        priceSource: cost.priceSource,
        ...overrides,
      });
    }

    beforeAll(async () => {
      ledger = await createPgliteLedger();
      await ledger.migrate();
      // Kling pro booked as the old catalogue did: standard's price × 5 s (the amount agrees with its own price).
      await book(0, runs.klingPro, { billingVariant: 'standard', unitPriceUsd: '0.050000', amountUsd: '0.250000' });
      await book(1, runs.klingStandard);
      await book(2, runs.hailuo768);
      await book(3, runs.hailuoDefault);
      await book(4, runs.cogvideox);
    });
    afterAll(async () => {
      await ledger?.close();
    });

    const lister = () => createPredictionLister({ apiToken: TOKEN, baseUrl: sim.baseUrl });

    it('flags a booking priced as another variant than the prediction reports', async () => {
      const report = await reconcile(ledger, lister(), { since, graceMs: 0, maxPages: 5, priceOverrides: {} });
      expect(report.priceMismatches).toEqual([
        expect.objectContaining({
          clipIndex: 0,
          predictionId: runs.klingPro.prediction.id,
          billingVariant: 'standard',
          unitPriceUsd: '0.050000',
          expectedVariant: 'pro',
          expectedUnitPriceUsd: '0.090000',
          reason:
            'booked as standard; Replicate reports resolution_target=1080p (pro); ' +
            'booked at 0.050000 USD; kling-v2.1 pro costs 0.090000 USD (catalogue:2026-12-01)',
        }),
      ]);
      // Its amount is its own unit price × the output seconds: the variant is what is wrong.
      expect(report.amountMismatches).toEqual([]);
      expect(report.missingFromLedger).toEqual([]);
      expect(report.discrepancies).toBe(1);
    });

    it('flags a booking whose variant costs something else under the overrides', async () => {
      const report = await reconcile(ledger, lister(), {
        since,
        graceMs: 0,
        maxPages: 5,
        priceOverrides: { 'hailuo-02:768p': '0.045', 'kling-v2.1': '0.05' },
      });
      expect(report.priceMismatches.map(({ clipIndex, reason }) => [clipIndex, reason])).toEqual([
        [0, 'booked as standard; Replicate reports resolution_target=1080p (pro)'],
        [2, 'booked at 0.070000 USD; hailuo-02 768p costs 0.045000 USD (override)'],
      ]);
    });
  });
});
