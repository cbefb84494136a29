import { randomUUID } from 'node:crypto';
import { type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { costActivities } from '../../src/activities/costs';
import type { PredictionSnapshot } from '../../src/domain/types';
import { createPostgresLedger } from '../../src/ledger/postgres';
import { predictionSnapshot } from '../helpers/prediction-snapshot';
import { describeEachLedger, type OpenedLedger } from '../ledger/backends';
import { failureOf } from '../helpers/failures';

function succeededPrediction(overrides: Partial<PredictionSnapshot> = {}): PredictionSnapshot {
  return predictionSnapshot('svd', {
    id: `pred-${randomUUID()}`,
    outputUrl: 'https://replicate.delivery/out.mp4',
    predictTime: 4.484541,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: '2025-01-01T00:00:01.000Z',
    completedAt: '2025-01-01T00:00:06.000Z',
    ...overrides,
  });
}

class RecordingLogger implements Logger {
  readonly entries: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.entries.push({ level, message, meta });
  }
  trace = (message: string, meta?: LogMetadata) => this.log('TRACE', message, meta);
  debug = (message: string, meta?: LogMetadata) => this.log('DEBUG', message, meta);
  info = (message: string, meta?: LogMetadata) => this.log('INFO', message, meta);
  warn = (message: string, meta?: LogMetadata) => this.log('WARN', message, meta);
  error = (message: string, meta?: LogMetadata) => this.log('ERROR', message, meta);
}

/** Records instead of printing, so expected failures do not flood the test output. */
function activityEnvironment(attempt = 1, logger: Logger = new RecordingLogger()): MockActivityEnvironment {
  return new MockActivityEnvironment({ attempt }, { logger });
}

describeEachLedger('cost activities', (backend) => {
  let opened: OpenedLedger;
  let activities: ReturnType<typeof costActivities>;
  const environment = activityEnvironment();

  beforeAll(async () => {
    opened = await backend.open();
    activities = costActivities({ ledger: opened.ledger });
  });
  afterAll(async () => {
    await opened.ledger.close();
  });

  async function bookDirectly(jobId: string, amountUsd: string): Promise<void> {
    await opened.ledger.bookClipCost({
      jobId,
      clipIndex: 90,
      predictionId: `earlier-${randomUUID()}`,
      model: 'svd',
      amountUsd,
      estimateUsd: amountUsd,
      source: 'actual',
      predictTimeSeconds: null,
      billingMetric: 'predict_time',
      unitPriceUsd: '0.001400',
    });
  }

  /** SVD at 0.001 USD a second: a reservation of N seconds holds N/1000 USD, its estimate (60 s) 0.06 USD. */
  const budgetInput = (jobId: string, clipIndex: number, maxRunSeconds: number) => ({
    jobId,
    clipIndex,
    plan: { model: 'svd' as const, plannedDuration: 3, variant: null },
    maxRunSeconds,
  });
  const reserve = (jobId: string, clipIndex: number, maxRunSeconds: number, attempt = 1) =>
    activityEnvironment(attempt).run(budgetActivities().reserveBudget, budgetInput(jobId, clipIndex, maxRunSeconds));
  const budgetActivities = () => costActivities({ ledger: opened.ledger, priceOverrides: { svd: '0.001' } });

  describe('reserveBudget', () => {
    it('creates an unknown job without a budget, which allows any reservation', async () => {
      const jobId = randomUUID();
      expect(await reserve(jobId, 0, 999_999)).toEqual({
        budgetUsd: null,
        bookedUsd: '0.000000',
        reservedUsd: '0.000000',
        reservationUsd: '999.999000',
        estimateUsd: '0.060000',
      });
      expect(await opened.ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: null, totalCost: '0.000000' });
    });

    it('reserves what the prediction can cost at most, not what it typically costs', async () => {
      const jobId = randomUUID();
      // Catalogue SVD: 0.0014 USD/s. It may run 150 s (deadline + Cancel-After margin), typically 60 s.
      const status = await environment.run(activities.reserveBudget, budgetInput(jobId, 0, 150));
      expect(status).toMatchObject({ reservationUsd: '0.210000', estimateUsd: '0.084000' });
      expect(await opened.ledger.listReservations(jobId)).toEqual([
        expect.objectContaining({ clipIndex: 0, amountUsd: '0.210000' }),
      ]);
    });

    it('reserves the planned output of a model billed per output second, whatever its run limit', async () => {
      const jobId = randomUUID();
      const input = {
        jobId,
        clipIndex: 0,
        plan: { model: 'kling-v2.1' as const, plannedDuration: 5, variant: 'standard' },
        maxRunSeconds: 900,
      };
      const status = await environment.run(activities.reserveBudget, input);
      expect(status).toMatchObject({ reservationUsd: '0.250000', estimateUsd: '0.250000' });
    });

    it('reserves and estimates at the planned billing variant’s price; without one, at the dearest', async () => {
      const check = (plan: { model: 'kling-v2.1' | 'hailuo-02'; plannedDuration: number; variant: string | null }) =>
        environment.run(activities.reserveBudget, { jobId: randomUUID(), clipIndex: 0, plan, maxRunSeconds: 900 });
      expect(await check({ model: 'kling-v2.1', plannedDuration: 5, variant: 'pro' })).toMatchObject({
        reservationUsd: '0.450000',
        estimateUsd: '0.450000',
      });
      expect(await check({ model: 'hailuo-02', plannedDuration: 10, variant: '768p' })).toMatchObject({
        reservationUsd: '0.700000',
        estimateUsd: '0.700000',
      });
      expect(await check({ model: 'kling-v2.1', plannedDuration: 5, variant: null })).toMatchObject({
        reservationUsd: '0.450000',
      });
      expect(await check({ model: 'hailuo-02', plannedDuration: 6, variant: null })).toMatchObject({
        reservationUsd: '0.480000',
      });
      const withOverride = costActivities({ ledger: opened.ledger, priceOverrides: { 'kling-v2.1:pro': '0.1' } });
      const input = {
        jobId: randomUUID(),
        clipIndex: 0,
        plan: { model: 'kling-v2.1' as const, plannedDuration: 10, variant: 'pro' },
        maxRunSeconds: 900,
      };
      expect(await environment.run(withOverride.reserveBudget, input)).toMatchObject({ reservationUsd: '1.000000' });
      const unknown = await failureOf(check({ model: 'kling-v2.1', plannedDuration: 5, variant: 'master' }));
      expect(unknown).toMatchObject({ type: 'InvalidInput' });
      expect(unknown.message).toBe(
        'plan.variant must be a billing variant of kling-v2.1: standard, pro (got "master")',
      );
    });

    it('allows a clip that takes the job exactly to its budget', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId, '1');
      await bookDirectly(jobId, '0.9');
      expect(await reserve(jobId, 1, 100)).toEqual({
        budgetUsd: '1.000000',
        bookedUsd: '0.900000',
        reservedUsd: '0.000000',
        reservationUsd: '0.100000',
        estimateUsd: '0.060000',
      });
    });

    it('fails as BudgetExceeded, naming budget, booked total, reserved amount and this reservation', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId, '1');
      await bookDirectly(jobId, '0.8');
      await reserve(jobId, 1, 50);
      await reserve(jobId, 2, 50);
      const failure = await failureOf(reserve(jobId, 3, 101));
      expect(failure).toMatchObject({ type: 'BudgetExceeded', nonRetryable: true });
      expect(failure.message).toBe(
        `Clip 3 of job ${jobId} would exceed the job's budget of 1.000000 USD: 0.800000 USD booked + ` +
          `0.100000 USD reserved by 2 other clips in flight + this clip's reservation of 0.101000 USD ` +
          `(the most its prediction can cost) = 1.001000 USD`,
      );
      expect(failure.details).toEqual([
        {
          budgetUsd: '1.000000',
          bookedUsd: '0.800000',
          reservedUsd: '0.100000',
          reservationUsd: '0.101000',
          estimateUsd: '0.060000',
        },
      ]);
      // Nothing was booked or changed by the refusal.
      expect(await opened.ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: '1.000000', totalCost: '0.800000' });
      expect((await opened.ledger.listReservations(jobId)).map((r) => r.clipIndex)).toEqual([1, 2]);
    });

    it('lets exactly as many of 10 parallel clips through as the budget holds', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId, '0.3');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, clipIndex) => reserve(jobId, clipIndex, 84)),
      );
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
      for (const outcome of refused) {
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({ type: 'BudgetExceeded' });
      }
      const reservations = await opened.ledger.listReservations(jobId);
      expect(reservations.map((reservation) => reservation.amountUsd)).toEqual(['0.084000', '0.084000', '0.084000']);
    });

    it('prices the reservation and the estimate at an overridden price', async () => {
      const withOverride = costActivities({ ledger: opened.ledger, priceOverrides: { svd: '0.002' } });
      const jobId = randomUUID();
      const input = budgetInput(jobId, 0, 150);
      expect(await environment.run(withOverride.reserveBudget, input)).toMatchObject({
        reservationUsd: '0.300000',
        estimateUsd: '0.120000',
      });
      expect(await environment.run(activities.reserveBudget, input)).toMatchObject({
        reservationUsd: '0.210000',
        estimateUsd: '0.084000',
      });
      expect(await opened.ledger.listReservations(jobId)).toEqual([
        expect.objectContaining({ clipIndex: 0, amountUsd: '0.210000' }),
      ]);
    });
  });

  describe('releaseBudget', () => {
    it("deletes the clip's reservation, and is harmless when there is none", async () => {
      const jobId = randomUUID();
      await reserve(jobId, 0, 100);
      await reserve(jobId, 1, 100);
      await environment.run(activities.releaseBudget, { jobId, clipIndex: 0 });
      await environment.run(activities.releaseBudget, { jobId, clipIndex: 0 });
      expect((await opened.ledger.listReservations(jobId)).map((r) => r.clipIndex)).toEqual([1]);
    });

    it('refuses a run limit that is not a positive number as InvalidInput', async () => {
      for (const maxRunSeconds of [0, -5, Number.NaN]) {
        const failure = await failureOf(reserve(randomUUID(), 0, maxRunSeconds));
        expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
        expect(failure.message).toContain('maxRunSeconds');
      }
    });
  });

  describe('recordClipCost', () => {
    it('books the actual cost from predict_time × the catalogue price, with the estimate beside it', async () => {
      const jobId = randomUUID();
      const prediction = succeededPrediction();
      const recorded = await environment.run(activities.recordClipCost, {
        jobId,
        clipIndex: 2,
        prediction,
        estimateUsd: '0.042',
        variant: null,
      });
      expect(recorded).toMatchObject({
        amountUsd: '0.006278',
        source: 'actual',
        applied: true,
        jobTotalUsd: '0.006278',
      });
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([
        expect.objectContaining({
          clipIndex: 2,
          predictionId: prediction.id,
          model: 'svd',
          amountUsd: '0.006278',
          estimateUsd: '0.042000',
          source: 'actual',
          predictTimeSeconds: 4.484541,
          billingMetric: 'predict_time',
          unitPriceUsd: '0.001400',
          predictionStatus: 'succeeded',
          priceSource: 'catalogue:2026-11-25',
        }),
      ]);
    });

    it("frees the clip's reservation when a succeeded prediction is booked", async () => {
      const jobId = randomUUID();
      await reserve(jobId, 2, 84);
      const input = { jobId, clipIndex: 2, prediction: succeededPrediction(), estimateUsd: '0.084', variant: null };
      await environment.run(activities.recordClipCost, input);
      expect(await opened.ledger.listReservations(jobId)).toEqual([]);
    });

    it.each(['canceled', 'failed'] as const)(
      'books a %s prediction that ran, as Replicate bills it, and keeps the reservation',
      async (status) => {
        const jobId = randomUUID();
        await reserve(jobId, 0, 84);
        const prediction = succeededPrediction({ status, outputUrl: null, predictTime: 12.5 });
        const recorded = await environment.run(activities.recordClipCost, {
          jobId,
          clipIndex: 0,
          prediction,
          estimateUsd: '0.084',
          variant: null,
        });
        expect(recorded).toMatchObject({
          amountUsd: '0.017500',
          source: 'actual',
          applied: true,
          jobTotalUsd: '0.017500',
        });
        expect(await opened.ledger.listClipCosts(jobId)).toEqual([
          expect.objectContaining({ predictionId: prediction.id, amountUsd: '0.017500', predictionStatus: status }),
        ]);
        expect(await opened.ledger.listReservations(jobId)).toHaveLength(1);
      },
    );

    it.each([
      ['aborted', { status: 'aborted' as const, predictTime: null }],
      ['canceled before it started', { status: 'canceled' as const, predictTime: null }],
      ['canceled after 0 s', { status: 'canceled' as const, predictTime: 0 }],
      ['canceled per-output model without output', { status: 'canceled' as const, model: 'kling-v2.1' as const }],
    ])('books nothing for a prediction %s: Replicate does not bill it', async (_, overrides) => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId);
      await bookDirectly(jobId, '0.2');
      const prediction = succeededPrediction({ outputUrl: null, ...overrides });
      const recorded = await environment.run(activities.recordClipCost, {
        jobId,
        clipIndex: 0,
        prediction,
        estimateUsd: '0.084',
        variant: null,
      });
      expect(recorded).toMatchObject({
        amountUsd: '0.000000',
        source: 'actual',
        applied: false,
        jobTotalUsd: '0.200000',
      });
      expect((await opened.ledger.listClipCosts(jobId)).map((row) => row.predictionId)).not.toContain(prediction.id);
    });

    it('refuses a prediction that has not finished as InvalidInput', async () => {
      const failure = await failureOf(
        environment.run(activities.recordClipCost, {
          jobId: randomUUID(),
          clipIndex: 0,
          prediction: succeededPrediction({ status: 'processing' }),
          estimateUsd: '0.084',
          variant: null,
        }),
      );
      expect(failure).toMatchObject({ type: 'InvalidInput', message: expect.stringContaining('still processing') });
    });

    it('books once when retried after its transaction committed', async () => {
      const jobId = randomUUID();
      const input = { jobId, clipIndex: 0, prediction: succeededPrediction(), estimateUsd: '0.042000', variant: null };
      const first = await activityEnvironment(1).run(activities.recordClipCost, input);
      const retried = await activityEnvironment(2).run(activities.recordClipCost, input);

      expect(first).toMatchObject({ amountUsd: '0.006278', source: 'actual', applied: true, jobTotalUsd: '0.006278' });
      expect(retried).toMatchObject({
        amountUsd: '0.006278',
        source: 'actual',
        applied: false,
        jobTotalUsd: '0.006278',
      });
      expect(await opened.ledger.listClipCosts(jobId)).toHaveLength(1);
      expect((await opened.ledger.getJob(jobId))?.totalCost).toBe('0.006278');
    });

    it('books the estimate when the prediction carries no metrics', async () => {
      const jobId = randomUUID();
      const recorded = await environment.run(activities.recordClipCost, {
        jobId,
        clipIndex: 0,
        prediction: succeededPrediction({ predictTime: null }),
        estimateUsd: '0.042',
        variant: null,
      });
      expect(recorded).toMatchObject({
        amountUsd: '0.042000',
        source: 'estimate',
        applied: true,
        jobTotalUsd: '0.042000',
      });
    });

    it('uses a configured price override', async () => {
      const withOverride = costActivities({ ledger: opened.ledger, priceOverrides: { svd: '0.002' } });
      const jobId = randomUUID();
      const recorded = await environment.run(withOverride.recordClipCost, {
        jobId,
        clipIndex: 0,
        prediction: succeededPrediction(),
        estimateUsd: '0.042',
        variant: null,
      });
      expect(recorded).toMatchObject({ amountUsd: '0.008969', source: 'actual', applied: true });
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([
        expect.objectContaining({ unitPriceUsd: '0.002000', priceSource: 'override' }),
      ]);
    });

    it('books an official model at the variant its metrics report, and records the variant', async () => {
      const jobId = randomUUID();
      const logger = new RecordingLogger();
      const prediction = succeededPrediction({
        model: 'kling-v2.1',
        predictTime: 72.5,
        videoOutputDurationSeconds: 5,
        resolutionTarget: '1080p',
      });
      const recorded = await activityEnvironment(1, logger).run(activities.recordClipCost, {
        jobId,
        clipIndex: 0,
        prediction,
        estimateUsd: '0.25',
        variant: 'standard',
      });
      expect(recorded).toMatchObject({ amountUsd: '0.450000', source: 'actual', applied: true });
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([
        expect.objectContaining({
          amountUsd: '0.450000',
          estimateUsd: '0.250000',
          billingMetric: 'video_output_duration_seconds',
          unitPriceUsd: '0.090000',
          billingVariant: 'pro',
          priceSource: 'catalogue:2026-12-01',
        }),
      ]);
      expect(logger.entries).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'Prediction billed as another variant than planned',
          meta: expect.objectContaining({ plannedVariant: 'standard', billingVariant: 'pro' }),
        }),
      );
    });

    it('books the planned variant when the prediction reports none (also from its estimate)', async () => {
      const jobId = randomUUID();
      const book = (clipIndex: number, overrides: Partial<PredictionSnapshot>) =>
        environment.run(activities.recordClipCost, {
          jobId,
          clipIndex,
          prediction: succeededPrediction({ model: 'hailuo-02', predictTime: 80, ...overrides }),
          estimateUsd: '0.7',
          variant: '768p',
        });
      expect(await book(0, { videoOutputDurationSeconds: 10 })).toMatchObject({
        amountUsd: '0.700000',
        source: 'actual',
      });
      expect(await book(1, { videoOutputDurationSeconds: null })).toMatchObject({
        amountUsd: '0.700000',
        source: 'estimate',
      });
      const rows = await opened.ledger.listClipCosts(jobId);
      expect(rows.map((row) => [row.billingVariant, row.unitPriceUsd, row.source])).toEqual([
        ['768p', '0.070000', 'actual'],
        ['768p', '0.070000', 'estimate'],
      ]);
    });

    it('records no variant for a model with a single price', async () => {
      const jobId = randomUUID();
      await environment.run(activities.recordClipCost, {
        jobId,
        clipIndex: 0,
        prediction: succeededPrediction(),
        estimateUsd: '0.084',
        variant: null,
      });
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([expect.objectContaining({ billingVariant: null })]);
    });

    it('keeps the first booking and warns when a retry computes a different amount', async () => {
      const jobId = randomUUID();
      const input = { jobId, clipIndex: 0, prediction: succeededPrediction(), estimateUsd: '0.042', variant: null };
      await environment.run(activities.recordClipCost, input);

      const logger = new RecordingLogger();
      const repriced = costActivities({ ledger: opened.ledger, priceOverrides: { svd: '0.002' } });
      const retried = await activityEnvironment(2, logger).run(repriced.recordClipCost, input);
      expect(retried).toMatchObject({ amountUsd: '0.006278', applied: false, jobTotalUsd: '0.006278' });
      expect(logger.entries).toContainEqual(
        expect.objectContaining({
          level: 'WARN',
          message: 'Clip cost already booked with a different amount',
          meta: expect.objectContaining({ bookedUsd: '0.006278', recomputedUsd: '0.008969' }),
        }),
      );
    });
  });
});

describe('cost activities', () => {
  it('refuse at construction a price override the ledger cannot store exactly', () => {
    expect(() => costActivities({ ledger: {} as never, priceOverrides: { svd: '0.0000125' } })).toThrow(
      expect.objectContaining({ type: 'InvalidInput', message: expect.stringContaining('priceOverrides.svd') }),
    );
  });

  it('refuse at construction an override of a variant the model is not priced by, naming the known ones', () => {
    expect(() => costActivities({ ledger: {} as never, priceOverrides: { 'hailuo-02:720p': '0.05' } })).toThrow(
      expect.objectContaining({
        type: 'InvalidInput',
        message: 'priceOverrides.hailuo-02:720p must be a billing variant of hailuo-02: 512p, 768p, 1080p (got "720p")',
      }),
    );
  });

  it('fail as RetryableError, without the password, when the database is unreachable', async () => {
    const password = 'n0t-f0r-l0gs';
    const ledger = createPostgresLedger({
      connectionString: `postgres://clipgen:${password}@127.0.0.1:1/clipgen_test`,
      connectionTimeoutMs: 2_000,
    });
    const activities = costActivities({ ledger });
    const environment = activityEnvironment();
    try {
      const calls = [
        environment.run(activities.reserveBudget, {
          jobId: randomUUID(),
          clipIndex: 0,
          plan: { model: 'svd' as const, plannedDuration: 3, variant: null },
          maxRunSeconds: 150,
        }),
        environment.run(activities.recordClipCost, {
          jobId: randomUUID(),
          clipIndex: 0,
          prediction: succeededPrediction(),
          estimateUsd: '0.042',
          variant: null,
        }),
      ];
      for (const call of calls) {
        const failure = await failureOf(call);
        expect(failure).toMatchObject({ type: 'RetryableError', nonRetryable: false });
        expect(`${failure.message}\n${failure.stack}`).not.toContain(password);
      }
    } finally {
      await ledger.close();
    }
  });
});
