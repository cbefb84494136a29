import { billedClipCost } from '../../src/domain/billing';
import { planClip } from '../../src/domain/catalogue';
import { estimateClipCostUsd, parsePriceOverrides, priceSourceOf } from '../../src/domain/pricing';
import { loadConfig } from '../../src/config';
import { predictionSnapshot as prediction } from '../helpers/prediction-snapshot';

describe('parsePriceOverrides', () => {
  test('reads model=price pairs, ignoring blanks and spaces', () => {
    expect(parsePriceOverrides(' svd=0.001525, kling-v2.1 = 0.07 ,')).toEqual({
      overrides: { svd: '0.001525', 'kling-v2.1': '0.07' },
      problems: [],
    });
    expect(parsePriceOverrides('')).toEqual({ overrides: {}, problems: [] });
  });

  test('names every bad entry', () => {
    expect(
      parsePriceOverrides('svd, sora=0.1, cogvideox=0.0000001, hailuo-02=-1, svd=1=2, kling-v2.1=1, kling-v2.1=2'),
    ).toEqual({
      overrides: { 'kling-v2.1': '1' },
      problems: [
        '"svd" is not model=price',
        '"sora" is not a model of the catalogue (svd, cogvideox, kling-v2.1, hailuo-02)',
        'cogvideox=0.0000001: the price must be USD with at most 6 decimals, such as 0.001525',
        'hailuo-02=-1: the price must be USD with at most 6 decimals, such as 0.001525',
        '"svd=1=2" is not model=price',
        'kling-v2.1 is given more than once',
      ],
    });
  });
});

describe('prices in effect', () => {
  test('name their source: the catalogue with the date it was checked, or the override', () => {
    expect(priceSourceOf('svd', {})).toBe('catalogue:2026-11-25');
    expect(priceSourceOf('svd', { svd: '0.001525' })).toBe('override');
    expect(priceSourceOf('cogvideox', { svd: '0.001525' })).toBe('catalogue:2026-11-25');
  });

  test('estimate exactly as planClip does at the same prices', () => {
    const clip = { clipIndex: 0, prompt: 'p', duration: 6, imageUrl: 'https://example.com/a.png' };
    for (const [model, overrides] of [
      ['svd', {}],
      ['svd', { svd: '0.002' }],
      ['hailuo-02', { 'hailuo-02': '0.045' }],
      ['cogvideox', {}],
    ] as const) {
      const plan = planClip(model, clip, {}, overrides);
      expect(estimateClipCostUsd(model, plan.plannedDuration, overrides)).toBe(plan.estimatedCostUsd);
    }
  });
});

describe('config', () => {
  test('CLIPGEN_PRICE_OVERRIDES becomes priceOverrides; a bad one is a configuration problem naming it', () => {
    expect(loadConfig({ CLIPGEN_PRICE_OVERRIDES: 'svd=0.001525' }, '/tmp').priceOverrides).toEqual({ svd: '0.001525' });
    expect(loadConfig({}, '/tmp').priceOverrides).toEqual({});
    expect(() => loadConfig({ CLIPGEN_PRICE_OVERRIDES: 'svd=cheap' }, '/tmp')).toThrow(
      'CLIPGEN_PRICE_OVERRIDES: svd=cheap: the price must be USD with at most 6 decimals',
    );
  });

  test('LEDGER_MIGRATE_ON_START defaults to true', () => {
    expect(loadConfig({}, '/tmp').ledger.migrateOnStart).toBe(true);
    expect(loadConfig({ LEDGER_MIGRATE_ON_START: 'false' }, '/tmp').ledger.migrateOnStart).toBe(false);
    expect(() => loadConfig({ LEDGER_MIGRATE_ON_START: 'maybe' }, '/tmp')).toThrow('LEDGER_MIGRATE_ON_START');
  });
});

describe('billedClipCost', () => {
  test('a succeeded prediction: its metric × price, else the estimate', () => {
    expect(billedClipCost(prediction('svd', { predictTime: 10 }), '0.084')).toMatchObject({
      amountUsd: '0.014000',
      source: 'actual',
      predictionStatus: 'succeeded',
    });
    expect(billedClipCost(prediction('svd'), '0.084')).toMatchObject({ amountUsd: '0.084000', source: 'estimate' });
  });

  test('a canceled or failed prediction that ran: what it ran; one that never ran, or aborted: nothing', () => {
    expect(billedClipCost(prediction('cogvideox', { status: 'canceled', predictTime: 30 }), '0.2')).toMatchObject({
      amountUsd: '0.042000',
      predictionStatus: 'canceled',
    });
    expect(billedClipCost(prediction('svd', { status: 'failed', predictTime: 1 }), '0.2')).toMatchObject({
      amountUsd: '0.001400',
      predictionStatus: 'failed',
    });
    expect(billedClipCost(prediction('svd', { status: 'canceled' }), '0.2')).toBeNull();
    expect(billedClipCost(prediction('svd', { status: 'canceled', predictTime: 0 }), '0.2')).toBeNull();
    expect(billedClipCost(prediction('kling-v2.1', { status: 'canceled', predictTime: 90 }), '0.25')).toBeNull();
    expect(billedClipCost(prediction('svd', { status: 'aborted', predictTime: 5 }), '0.2')).toBeNull();
  });

  test('an unfinished prediction has no cost yet', () => {
    expect(() => billedClipCost(prediction('svd', { status: 'starting' }), '0.2')).toThrow(
      expect.objectContaining({ type: 'InvalidInput' }),
    );
  });
});
