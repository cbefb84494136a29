import { billedClipCost } from '../../src/domain/billing';
import { checkPriceOverrides, planClip } from '../../src/domain/catalogue';
import { estimateClipCostUsd, parsePriceOverrides, priceSourceOf, reservationUsd } from '../../src/domain/pricing';
import { invalidInputMessage } from './expect-invalid-input';
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
        '"svd" is not model=price or model:variant=price',
        '"sora" is not a model of the catalogue (svd, cogvideox, kling-v2.1, hailuo-02)',
        'cogvideox=0.0000001: the price must be USD with at most 6 decimals, such as 0.001525',
        'hailuo-02=-1: the price must be USD with at most 6 decimals, such as 0.001525',
        '"svd=1=2" is not model=price or model:variant=price',
        'kling-v2.1 is given more than once',
      ],
    });
  });

  test('reads model:variant=price for one billing variant, beside model=price for every variant', () => {
    expect(parsePriceOverrides('kling-v2.1:pro=0.09, hailuo-02 : 768p = 0.045,hailuo-02=0.1')).toEqual({
      overrides: { 'kling-v2.1:pro': '0.09', 'hailuo-02:768p': '0.045', 'hailuo-02': '0.1' },
      problems: [],
    });
  });

  test('names an unknown variant and the known ones; a model with one price has no variants', () => {
    expect(
      parsePriceOverrides(
        'kling-v2.1:ultra=0.2, hailuo-02:720p=0.05, svd:a100=0.002, kling-v2.1:pro=0.09, ' +
          'kling-v2.1:pro=0.1, hailuo-02:1080p=cheap, sora:pro=1, kling-v2.1:pro:x=1',
      ),
    ).toEqual({
      overrides: { 'kling-v2.1:pro': '0.09' },
      problems: [
        '"kling-v2.1:ultra": "ultra" is not a billing variant of kling-v2.1 (standard, pro)',
        '"hailuo-02:720p": "720p" is not a billing variant of hailuo-02 (512p, 768p, 1080p)',
        '"svd:a100": svd has a single price and no billing variants; use svd=price',
        'kling-v2.1:pro is given more than once',
        'hailuo-02:1080p=cheap: the price must be USD with at most 6 decimals, such as 0.001525',
        '"sora" is not a model of the catalogue (svd, cogvideox, kling-v2.1, hailuo-02)',
        '"kling-v2.1:pro:x=1" is not model=price or model:variant=price',
      ],
    });
  });

  test('overrides given in code are checked the same way, naming the known variants', () => {
    expect(() => checkPriceOverrides({ svd: '0.001', 'kling-v2.1:pro': '0.09' })).not.toThrow();
    expect(invalidInputMessage(() => checkPriceOverrides({ 'kling-v2.1:turbo': '0.09' }))).toBe(
      'priceOverrides.kling-v2.1:turbo must be a billing variant of kling-v2.1: standard, pro (got "turbo")',
    );
    expect(invalidInputMessage(() => checkPriceOverrides({ 'cogvideox:hd': '0.09' } as never))).toBe(
      'priceOverrides.cogvideox:hd: cogvideox has a single price and no billing variants (got "hd")',
    );
    expect(invalidInputMessage(() => checkPriceOverrides({ veo: '0.4' } as never))).toContain('unknown model "veo"');
  });
});

describe('prices in effect', () => {
  test('name their source: the catalogue with the date it was checked, or the override', () => {
    expect(priceSourceOf('svd', {})).toBe('catalogue:2026-11-25');
    expect(priceSourceOf('svd', { svd: '0.001525' })).toBe('override');
    expect(priceSourceOf('cogvideox', { svd: '0.001525' })).toBe('catalogue:2026-11-25');
    expect(priceSourceOf('kling-v2.1', {}, 'pro')).toBe('catalogue:2026-12-01');
    expect(priceSourceOf('hailuo-02', {}, '1080p')).toBe('catalogue:2026-11-25');
    expect(priceSourceOf('kling-v2.1', { 'kling-v2.1:pro': '0.1' }, 'pro')).toBe('override');
    expect(priceSourceOf('kling-v2.1', { 'kling-v2.1:pro': '0.1' }, 'standard')).toBe('catalogue:2026-12-01');
  });

  test('reserve and estimate at the planned variant’s price', () => {
    const clip = { clipIndex: 0, prompt: 'p', duration: 5, imageUrl: 'https://example.com/a.png' };
    const pro = planClip('kling-v2.1', clip, { resolution: '1080p' });
    expect(reservationUsd('kling-v2.1', pro.plannedDuration, 900, {}, pro.variant)).toBe('0.450000');
    expect(estimateClipCostUsd('kling-v2.1', pro.plannedDuration, {}, pro.variant)).toBe('0.450000');
    expect(reservationUsd('kling-v2.1', 5, 900, {}, 'standard')).toBe('0.250000');
    expect(reservationUsd('hailuo-02', 10, 900, {}, '768p')).toBe('0.700000');
    expect(reservationUsd('hailuo-02', 6, 900, { 'hailuo-02:512p': '0.02' }, '512p')).toBe('0.120000');
    expect(reservationUsd('hailuo-02', 6, 900, { 'hailuo-02': '0.05' }, '1080p')).toBe('0.300000');
  });

  test('without a variant, reserve and estimate at the dearest one, so the budget stays a bound', () => {
    expect(reservationUsd('kling-v2.1', 5, 900, {})).toBe('0.450000');
    expect(estimateClipCostUsd('hailuo-02', 6, {})).toBe('0.480000');
    // The dearest at the prices in effect: an override can change which one it is.
    expect(reservationUsd('kling-v2.1', 5, 900, { 'kling-v2.1:standard': '0.2' })).toBe('1.000000');
    expect(reservationUsd('svd', 3, 150, {})).toBe('0.210000');
  });

  test('refuse a variant the model is not priced by, naming the known ones', () => {
    expect(invalidInputMessage(() => reservationUsd('kling-v2.1', 5, 900, {}, '4k'))).toBe(
      'plan.variant must be a billing variant of kling-v2.1: standard, pro (got "4k")',
    );
    expect(invalidInputMessage(() => estimateClipCostUsd('svd', 3, {}, 'pro'))).toBe(
      'plan.variant: svd has a single price and no billing variants (got "pro")',
    );
  });

  test('estimate exactly as planClip does at the same prices', () => {
    const clip = { clipIndex: 0, prompt: 'p', duration: 6, imageUrl: 'https://example.com/a.png' };
    for (const [model, overrides] of [
      ['svd', {}],
      ['svd', { svd: '0.002' }],
      ['hailuo-02', { 'hailuo-02': '0.045' }],
      ['hailuo-02', { 'hailuo-02:1080p': '0.1' }],
      ['kling-v2.1', { 'kling-v2.1:standard': '0.04' }],
      ['cogvideox', {}],
    ] as const) {
      const plan = planClip(model, clip, {}, overrides);
      expect(estimateClipCostUsd(model, plan.plannedDuration, overrides, plan.variant)).toBe(plan.estimatedCostUsd);
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
    expect(loadConfig({ CLIPGEN_PRICE_OVERRIDES: 'kling-v2.1:pro=0.09' }, '/tmp').priceOverrides).toEqual({
      'kling-v2.1:pro': '0.09',
    });
    expect(() => loadConfig({ CLIPGEN_PRICE_OVERRIDES: 'kling-v2.1:max=0.2' }, '/tmp')).toThrow(
      'CLIPGEN_PRICE_OVERRIDES: "kling-v2.1:max": "max" is not a billing variant of kling-v2.1 (standard, pro)',
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

  test('an official model: the reported variant’s price, else the planned one’s', () => {
    const pro = prediction('kling-v2.1', { videoOutputDurationSeconds: 10, resolutionTarget: '1080p' });
    expect(billedClipCost(pro, '0.5', {}, 'standard')).toMatchObject({ amountUsd: '0.900000', billingVariant: 'pro' });
    const silent = prediction('hailuo-02', { videoOutputDurationSeconds: 10 });
    expect(billedClipCost(silent, '0.7', {}, '768p')).toMatchObject({ amountUsd: '0.700000', billingVariant: '768p' });
  });

  test('an unfinished prediction has no cost yet', () => {
    expect(() => billedClipCost(prediction('svd', { status: 'starting' }), '0.2')).toThrow(
      expect.objectContaining({ type: 'InvalidInput' }),
    );
  });
});
