import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { ClipCostEntry } from '../../src/ledger/types';
import { clipCostEntry, describeEachLedger, itConcurrent, type OpenedLedger } from './backends';

/** A booking of 4.484541 s of SVD at $0.0014/s. */
function entry(jobId: string, overrides: Partial<ClipCostEntry> = {}): ClipCostEntry {
  return clipCostEntry(jobId, {
    amountUsd: '0.006278',
    estimateUsd: '0.042000',
    predictTimeSeconds: 4.484541,
    ...overrides,
  });
}

describeEachLedger('the cost ledger', (backend) => {
  let opened: OpenedLedger;

  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened.ledger.close();
  });

  async function sumOfRows(jobId: string): Promise<string> {
    const [row] = await opened.db.transaction((session) =>
      session.query<{ total: string }>(
        `select coalesce(sum(amount_usd), 0)::numeric(12,6)::text as total from public.clip_costs where job_id = $1`,
        [jobId],
      ),
    );
    return row.total;
  }

  describe('jobs', () => {
    it('creates a job without a budget, and reads null for an unknown one', async () => {
      const jobId = randomUUID();
      expect(await opened.ledger.getJob(jobId)).toBeNull();
      await opened.ledger.ensureJob(jobId);
      expect(await opened.ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: null, totalCost: '0.000000' });
    });

    it('sets a given budget, keeps it when none is given, and clears it with null', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId, '2.5');
      expect((await opened.ledger.getJob(jobId))?.budgetUsd).toBe('2.500000');
      await opened.ledger.ensureJob(jobId);
      expect((await opened.ledger.getJob(jobId))?.budgetUsd).toBe('2.500000');
      await opened.ledger.ensureJob(jobId, '0.75');
      expect((await opened.ledger.getJob(jobId))?.budgetUsd).toBe('0.750000');
      await opened.ledger.ensureJob(jobId, null);
      expect((await opened.ledger.getJob(jobId))?.budgetUsd).toBeNull();
    });

    it('refuses a malformed budget and job id as InvalidInput', async () => {
      await expect(opened.ledger.ensureJob(randomUUID(), '-1')).rejects.toMatchObject({ type: 'InvalidInput' });
      await expect(opened.ledger.ensureJob('not-a-uuid')).rejects.toMatchObject({
        type: 'InvalidInput',
        nonRetryable: true,
      });
    });
  });

  describe('bookClipCost', () => {
    it('books a new key once: a second booking applies nothing and returns the stored amount', async () => {
      const jobId = randomUUID();
      const first = entry(jobId, { amountUsd: '0.006278' });

      expect(await opened.ledger.bookClipCost(first)).toEqual({
        applied: true,
        amountUsd: '0.006278',
        totalCost: '0.006278',
      });
      // Same key, different amount (as after a price change): the first booking stands.
      expect(await opened.ledger.bookClipCost({ ...first, amountUsd: '0.500000' })).toEqual({
        applied: false,
        amountUsd: '0.006278',
        totalCost: '0.006278',
      });
      expect(await opened.ledger.listClipCosts(jobId)).toHaveLength(1);
      expect((await opened.ledger.getJob(jobId))?.totalCost).toBe('0.006278');
    });

    it('creates the job row when the first booking arrives before any ensureJob', async () => {
      const jobId = randomUUID();
      await opened.ledger.bookClipCost(entry(jobId, { amountUsd: '0.1' }));
      expect(await opened.ledger.getJob(jobId)).toEqual({ id: jobId, budgetUsd: null, totalCost: '0.100000' });
    });

    it('books two predictions of the same clip (a retried or fallback branch) separately', async () => {
      const jobId = randomUUID();
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 2, predictionId: 'primary', amountUsd: '0.010000' }));
      const second = await opened.ledger.bookClipCost(
        entry(jobId, { clipIndex: 2, predictionId: 'fallback', model: 'cogvideox', amountUsd: '0.020000' }),
      );
      expect(second).toEqual({ applied: true, amountUsd: '0.020000', totalCost: '0.030000' });
      expect((await opened.ledger.listClipCosts(jobId)).map((row) => row.predictionId).sort()).toEqual([
        'fallback',
        'primary',
      ]);
    });

    it('adds decimals exactly: 0.1 + 0.2 is 0.300000', async () => {
      const jobId = randomUUID();
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 0, amountUsd: '0.1' }));
      const result = await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 1, amountUsd: '0.2' }));
      expect(result.totalCost).toBe('0.300000');
      expect(await sumOfRows(jobId)).toBe('0.300000');
    });

    it('keeps jobs.total_cost equal to the sum of its rows', async () => {
      const jobId = randomUUID();
      const amounts = ['0.006278', '0.000225', '1.250000', '0.000001', '0.333333'];
      for (const [clipIndex, amountUsd] of amounts.entries()) {
        await opened.ledger.bookClipCost(entry(jobId, { clipIndex, amountUsd }));
      }
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 9, predictionId: 'again', amountUsd: '0.1' }));
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 9, predictionId: 'again', amountUsd: '0.1' }));
      const job = await opened.ledger.getJob(jobId);
      expect(job?.totalCost).toBe('1.689837');
      expect(await sumOfRows(jobId)).toBe(job?.totalCost);
    });

    itConcurrent(backend, 'loses no update when 50 bookings for one job run at once', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, clipIndex) =>
          opened.ledger.bookClipCost(entry(jobId, { clipIndex, amountUsd: '0.010001' })),
        ),
      );
      expect(results.every((result) => result.applied)).toBe(true);
      expect((await opened.ledger.getJob(jobId))?.totalCost).toBe('0.500050');
      expect(await sumOfRows(jobId)).toBe('0.500050');
      // Each booking saw its own addition on top of the others': the totals are all distinct.
      expect(new Set(results.map((result) => result.totalCost)).size).toBe(50);
    });

    itConcurrent(backend, 'applies only one of 50 simultaneous bookings of the same key', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId);
      const same = entry(jobId, { clipIndex: 4, amountUsd: '0.123456' });
      const results = await Promise.all(Array.from({ length: 50 }, () => opened.ledger.bookClipCost(same)));
      expect(results.filter((result) => result.applied)).toHaveLength(1);
      expect(results.every((result) => result.amountUsd === '0.123456' && result.totalCost === '0.123456')).toBe(true);
      expect(await opened.ledger.listClipCosts(jobId)).toHaveLength(1);
    });

    it('rolls the whole booking back when the total would overflow numeric(12,6)', async () => {
      const jobId = randomUUID();
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 0, amountUsd: '999999.999999' }));
      const overflow = opened.ledger.bookClipCost(entry(jobId, { clipIndex: 1, amountUsd: '0.000001' }));
      await expect(overflow).rejects.toBeInstanceOf(ApplicationFailure);
      await expect(overflow).rejects.toMatchObject({ type: 'InvalidInput', nonRetryable: true });
      expect(await opened.ledger.listClipCosts(jobId)).toHaveLength(1);
      expect((await opened.ledger.getJob(jobId))?.totalCost).toBe('999999.999999');
    });

    it.each([
      ['an amount with a 7th decimal', { amountUsd: '0.0000001' }],
      ['a negative amount', { amountUsd: '-0.010000' }],
      ['a non-numeric unit price', { unitPriceUsd: 'free' }],
      ['an infinite predict time', { predictTimeSeconds: Number.POSITIVE_INFINITY }],
      ['a negative clip index', { clipIndex: -1 }],
      ['an unknown source', { source: 'guess' as 'actual' }],
    ])('refuses %s as InvalidInput and books nothing', async (_, overrides) => {
      const jobId = randomUUID();
      await expect(opened.ledger.bookClipCost(entry(jobId, overrides))).rejects.toMatchObject({
        type: 'InvalidInput',
        nonRetryable: true,
      });
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([]);
    });
  });

  describe('billing variants', () => {
    it('refuses an empty billing variant as InvalidInput, booking nothing', async () => {
      const jobId = randomUUID();
      await expect(opened.ledger.bookClipCost(entry(jobId, { billingVariant: '' }))).rejects.toMatchObject({
        type: 'InvalidInput',
        message: expect.stringContaining('billingVariant'),
      });
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([]);
    });

    it('read null on a row booked without one (as before variants were priced)', async () => {
      const jobId = randomUUID();
      await opened.ledger.ensureJob(jobId);
      await opened.db.transaction((session) =>
        session.query(
          `insert into public.clip_costs (job_id, clip_index, prediction_id, model, amount_usd, estimate_usd, source,
             predict_time_s, billing_metric, unit_price_usd)
           values ($1, 0, 'old', 'kling-v2.1', 0.25, 0.25, 'actual', null, 'video_output_duration_seconds', 0.05)`,
          [jobId],
        ),
      );
      expect(await opened.ledger.listClipCosts(jobId)).toEqual([
        expect.objectContaining({ predictionId: 'old', billingVariant: null, unitPriceUsd: '0.050000' }),
      ]);
    });
  });

  describe('listClipCosts', () => {
    it('returns every field, ordered by clip index', async () => {
      const jobId = randomUUID();
      const before = Date.now();
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 3, predictionId: 'p3', amountUsd: '0.3' }));
      await opened.ledger.bookClipCost(
        entry(jobId, {
          clipIndex: 1,
          predictionId: 'p1',
          model: 'kling-v2.1',
          amountUsd: '0.250000',
          estimateUsd: '0.25',
          source: 'estimate',
          predictTimeSeconds: null,
          billingMetric: 'video_output_duration_seconds',
          unitPriceUsd: '0.05',
          billingVariant: 'standard',
        }),
      );
      const rows = await opened.ledger.listClipCosts(jobId);
      expect(rows.map((row) => row.clipIndex)).toEqual([1, 3]);
      expect(rows[0]).toEqual({
        jobId,
        clipIndex: 1,
        predictionId: 'p1',
        model: 'kling-v2.1',
        amountUsd: '0.250000',
        estimateUsd: '0.250000',
        source: 'estimate',
        predictTimeSeconds: null,
        billingMetric: 'video_output_duration_seconds',
        unitPriceUsd: '0.050000',
        billingVariant: 'standard',
        predictionStatus: 'succeeded',
        priceSource: 'catalogue',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(rows[1]).toMatchObject({
        predictTimeSeconds: 4.484541,
        amountUsd: '0.300000',
        unitPriceUsd: '0.001400',
        billingVariant: null,
      });
      expect(Date.parse(rows[0].createdAt)).toBeGreaterThanOrEqual(before - 5_000);
    });
  });
});
