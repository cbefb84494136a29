import { randomUUID } from 'node:crypto';
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { costActivities } from '../../src/activities/costs';
import type { PredictionSnapshot } from '../../src/domain/types';
import { createPostgresLedger } from '../../src/ledger/postgres';
import { ledgerBackends, type OpenedLedger } from '../ledger/backends';

function succeededPrediction(overrides: Partial<PredictionSnapshot> = {}): PredictionSnapshot {
  return {
    id: `pred-${randomUUID()}`,
    model: 'svd',
    status: 'succeeded',
    outputUrl: 'https://replicate.delivery/out.mp4',
    error: null,
    predictTime: 4.484541,
    videoOutputDurationSeconds: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: '2025-01-01T00:00:01.000Z',
    completedAt: '2025-01-01T00:00:06.000Z',
    dataRemoved: false,
    ...overrides,
  };
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

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe.each(ledgerBackends())('cost activities on the $name ledger', (backend) => {
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

  describe('checkBudget', () => {
    it('creates an unknown job without a budget, which allows any estimate', async () => {
      const jobId = randomUUID();
      const status = await environment.run(activities.checkBudget, {
        jobId,
        clipIndex: 0,
        estimateUsd: '999999.999999',
      });
      expect(status).toEqual({ budgetUsd: null, bookedUsd: '0.000000' });
      expect(await opened.ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: null, totalCost: '0.000000' });
    });

    it('allows a clip that takes the job exactly to its budget', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId, '1');
      await bookDirectly(jobId, '0.9');
      const status = await environment.run(activities.checkBudget, { jobId, clipIndex: 1, estimateUsd: '0.1' });
      expect(status).toEqual({ budgetUsd: '1.000000', bookedUsd: '0.900000' });
    });

    it('fails as BudgetExceeded, naming budget, booked total and estimate, when the clip would pass it', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId, '1');
      await bookDirectly(jobId, '0.9');
      const failure = await failureOf(
        environment.run(activities.checkBudget, { jobId, clipIndex: 3, estimateUsd: '0.100001' }),
      );
      expect(failure).toMatchObject({ type: 'BudgetExceeded', nonRetryable: true });
      expect(failure.message).toBe(
        `Clip 3 of job ${jobId} would exceed the job's budget of 1.000000 USD: ` +
          `0.900000 USD booked + this clip's estimate of 0.100001 USD = 1.000001 USD`,
      );
      // Nothing was booked or changed by the refusal.
      expect(await opened.ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: '1.000000', totalCost: '0.900000' });
    });

    it('refuses a malformed estimate as InvalidInput', async () => {
      const failure = await failureOf(
        environment.run(activities.checkBudget, { jobId: randomUUID(), clipIndex: 0, estimateUsd: 'cheap' }),
      );
      expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
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
      });
      expect(recorded).toEqual({ amountUsd: '0.006278', source: 'actual', applied: true, jobTotalUsd: '0.006278' });
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
        }),
      ]);
    });

    it('books once when retried after its transaction committed', async () => {
      const jobId = randomUUID();
      const input = { jobId, clipIndex: 0, prediction: succeededPrediction(), estimateUsd: '0.042000' };
      const first = await activityEnvironment(1).run(activities.recordClipCost, input);
      const retried = await activityEnvironment(2).run(activities.recordClipCost, input);

      expect(first).toEqual({ amountUsd: '0.006278', source: 'actual', applied: true, jobTotalUsd: '0.006278' });
      expect(retried).toEqual({ amountUsd: '0.006278', source: 'actual', applied: false, jobTotalUsd: '0.006278' });
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
      });
      expect(recorded).toEqual({ amountUsd: '0.042000', source: 'estimate', applied: true, jobTotalUsd: '0.042000' });
    });

    it('uses a configured price override', async () => {
      const withOverride = costActivities({ ledger: opened.ledger, priceOverrides: { svd: '0.002' } });
      const recorded = await environment.run(withOverride.recordClipCost, {
        jobId: randomUUID(),
        clipIndex: 0,
        prediction: succeededPrediction(),
        estimateUsd: '0.042',
      });
      expect(recorded).toMatchObject({ amountUsd: '0.008969', source: 'actual', applied: true });
    });

    it('keeps the first booking and warns when a retry computes a different amount', async () => {
      const jobId = randomUUID();
      const input = { jobId, clipIndex: 0, prediction: succeededPrediction(), estimateUsd: '0.042' };
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
        environment.run(activities.checkBudget, { jobId: randomUUID(), clipIndex: 0, estimateUsd: '0.1' }),
        environment.run(activities.recordClipCost, {
          jobId: randomUUID(),
          clipIndex: 0,
          prediction: succeededPrediction(),
          estimateUsd: '0.042',
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
