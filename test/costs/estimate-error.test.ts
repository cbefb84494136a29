import { distributionOf, estimateErrorReport, jobStatement, totalsAgree } from '../../src/costs/cost-report';
import type { ClipCostRow } from '../../src/ledger/types';

function row(amountUsd: string, estimateUsd: string, overrides: Partial<ClipCostRow> = {}): ClipCostRow {
  return {
    jobId: 'job',
    clipIndex: 0,
    predictionId: 'p',
    model: 'svd',
    amountUsd,
    estimateUsd,
    source: 'actual',
    predictTimeSeconds: 1,
    billingMetric: 'predict_time',
    unitPriceUsd: '0.001400',
    predictionStatus: 'succeeded',
    priceSource: 'catalogue:2026-11-25',
    createdAt: '2026-11-25T00:00:00.000Z',
    ...overrides,
  };
}

describe('distributionOf', () => {
  test('mean, median, nearest-rank p90 and the share within ±20% of |error|', () => {
    // |errors|: 0.05 0.1 0.1 0.2 0.3 0.4 0.5 0.6 0.7 1.0
    const errors = [0.05, -0.1, 0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, 1.0];
    const distribution = distributionOf(errors);
    expect(distribution.count).toBe(10);
    expect(distribution.mean).toBeCloseTo(0.395, 10);
    expect(distribution.median).toBeCloseTo(0.35, 10);
    expect(distribution.p90).toBeCloseTo(0.7, 10);
    expect(distribution.withinTolerance).toBeCloseTo(0.4, 10);
    expect(distribution.meanSigned).toBeCloseTo(0.235, 10);
  });

  test('an odd count takes the middle value; nothing gives nulls', () => {
    expect(distributionOf([0.3, -0.1, 0.2])).toMatchObject({ median: 0.2, p90: 0.3 });
    expect(distributionOf([])).toEqual({
      count: 0,
      mean: null,
      median: null,
      p90: null,
      withinTolerance: null,
      meanSigned: null,
    });
  });
});

describe('estimateErrorReport', () => {
  test('counts only succeeded predictions booked from their metric, overall and per model', () => {
    const report = estimateErrorReport([
      row('0.110000', '0.100000'),
      row('0.050000', '0.100000'),
      row('0.300000', '0.250000', { model: 'kling-v2.1' }),
      row('0.100000', '0.100000', { source: 'estimate' }),
      row('0.020000', '0.100000', { predictionStatus: 'canceled' }),
      row('0.020000', '0.000000'),
    ]);
    expect(report.rows).toBe(6);
    expect(report.excluded).toEqual({ bookedFromEstimate: 1, stoppedEarly: 1, zeroEstimate: 1 });
    expect(report.overall.count).toBe(3);
    expect(report.overall.withinTolerance).toBeCloseTo(2 / 3, 10);
    expect(Object.keys(report.byModel)).toEqual(['kling-v2.1', 'svd']);
    expect(report.byModel.svd).toMatchObject({ count: 2, median: expect.closeTo(0.3, 10) });
    expect(report.byModel['kling-v2.1'].mean).toBeCloseTo(0.2, 10);
  });
});

describe('jobStatement', () => {
  test('sums bookings, estimates and reservations exactly, and flags a total that differs', () => {
    const job = { id: 'job', budgetUsd: '1.000000', totalCost: '0.300000' };
    const rows = [row('0.100000', '0.084000'), row('0.200000', '0.250000', { clipIndex: 1 })];
    const statement = jobStatement(job, rows, [
      { clipIndex: 2, amountUsd: '0.084000', updatedAt: '2026-11-25T00:00:00.000Z' },
    ]);
    expect(statement).toMatchObject({
      bookedUsd: '0.300000',
      clipsTotalUsd: '0.300000',
      estimateTotalUsd: '0.334000',
      reservedUsd: '0.084000',
    });
    expect(statement.clips.map((line) => line.error)).toEqual([expect.closeTo(0.190476, 5), -0.2]);
    expect(totalsAgree(statement)).toBe(true);
    expect(totalsAgree(jobStatement({ ...job, totalCost: '0.4' }, rows, []))).toBe(false);
  });
});
