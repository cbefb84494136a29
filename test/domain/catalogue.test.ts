import {
  CATALOGUE,
  DURATION_TOLERANCE_SECONDS,
  MODEL_IDS,
  actualClipCost,
  chooseModels,
  getModelSpec,
  isModelId,
  planClip,
} from '../../src/domain/catalogue';
import type { GenerateClipInput, ModelId, PredictionSnapshot } from '../../src/domain/types';
import { predictionSnapshot } from '../helpers/prediction-snapshot';
import { invalidInputMessage } from './expect-invalid-input';

const JOB_ID = '4f1c2d9e-8b7a-4c3d-9e2f-1a2b3c4d5e6f';
const IMAGE = 'https://images.example.com/frame.png';

const prediction = (model: ModelId, metrics: Partial<PredictionSnapshot> = {}) =>
  predictionSnapshot(model, {
    id: 'ufawqhfynnddngldkgtslldrkq',
    outputUrl: 'https://replicate.delivery/xezq/out.mp4',
    ...metrics,
  });

function input(overrides: Partial<GenerateClipInput> = {}, imageUrl?: string): GenerateClipInput {
  return { jobId: JOB_ID, clip: { clipIndex: 0, prompt: 'a fox in snow', duration: 4, imageUrl }, ...overrides };
}

describe('catalogue entries', () => {
  test('every model id has an entry under its own id', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual([...MODEL_IDS].sort());
    for (const id of MODEL_IDS) expect(CATALOGUE[id].id).toBe(id);
  });

  test('community models are pinned to a version; official ones are called by name', () => {
    expect(CATALOGUE.svd.replicate).toMatchObject({ owner: 'stability-ai', official: false });
    expect(CATALOGUE.svd.replicate.version).toMatch(/^[0-9a-f]{64}$/);
    expect(CATALOGUE.cogvideox.replicate.version).toMatch(/^[0-9a-f]{64}$/);
    expect(CATALOGUE['kling-v2.1'].replicate).toMatchObject({ owner: 'kwaivgi', version: null, official: true });
    expect(CATALOGUE['hailuo-02'].replicate).toMatchObject({ owner: 'minimax', version: null, official: true });
  });

  test('community models bill hardware time; official ones bill output seconds, per billing variant', () => {
    expect(CATALOGUE.svd.price).toMatchObject({ kind: 'hardware-time', usdPerSecond: '0.001400' });
    expect(CATALOGUE.cogvideox.price).toMatchObject({ kind: 'hardware-time', usdPerSecond: '0.001400' });
    for (const id of ['svd', 'cogvideox'] as const) {
      expect(CATALOGUE[id].price).toMatchObject({
        checkedOn: '2026-11-25',
        note: expect.stringMatching(/^Unconfirmed/),
      });
    }
    const unitPrices = (id: ModelId) => {
      const { price } = CATALOGUE[id];
      if (price.kind !== 'per-output-second') throw new Error(`${id} is not billed per output second`);
      return Object.entries(price.variants).map(([variant, { usdPerUnit, checkedOn }]) => [
        variant,
        usdPerUnit,
        checkedOn,
      ]);
    };
    expect(unitPrices('kling-v2.1')).toEqual([
      ['standard', '0.050000', '2026-12-01'],
      ['pro', '0.090000', '2026-12-01'],
    ]);
    // Only the 1080p figure is known; 512p and 768p are placeholders, cheaper in the public tables' order.
    expect(unitPrices('hailuo-02')).toEqual([
      ['512p', '0.060000', '2026-12-01'],
      ['768p', '0.070000', '2026-12-01'],
      ['1080p', '0.080000', '2026-11-25'],
    ]);
  });

  test('every variant price says where it comes from; placeholders say how to set them', () => {
    const { price } = CATALOGUE['hailuo-02'];
    if (price.kind !== 'per-output-second') throw new Error('hailuo-02 is billed per output second');
    expect(price.variants['512p'].note).toMatch(/^Unconfirmed placeholder.*CLIPGEN_PRICE_OVERRIDES/);
    expect(price.variants['768p'].note).toMatch(/^Unconfirmed placeholder.*CLIPGEN_PRICE_OVERRIDES/);
    const kling = CATALOGUE['kling-v2.1'].price;
    if (kling.kind !== 'per-output-second') throw new Error('kling-v2.1 is billed per output second');
    expect(kling.variants.pro.note).toMatch(/Third-party public price tables, 2026-12-01/);
  });

  test('each model plans a variant it is priced by, or none when it has a single price', () => {
    const clip = { clipIndex: 0, prompt: 'p', duration: 6, imageUrl: IMAGE };
    expect(planClip('svd', { ...clip, duration: 3 }).variant).toBeNull();
    expect(planClip('cogvideox', clip).variant).toBeNull();
    expect(planClip('kling-v2.1', { ...clip, duration: 5 }).variant).toBe('standard');
    expect(planClip('kling-v2.1', { ...clip, duration: 5 }, { resolution: '1080p' }).variant).toBe('pro');
    expect(planClip('hailuo-02', clip).variant).toBe('1080p');
    expect(planClip('hailuo-02', { ...clip, duration: 10 }).variant).toBe('768p');
    expect(planClip('hailuo-02', clip, { resolution: '512p' }).variant).toBe('512p');
  });

  test('deadlines: the seed’s 120 s for SVD, longer for the models whose runs take minutes', () => {
    expect(CATALOGUE.svd.deadlineSeconds).toBe(120);
    expect(CATALOGUE.cogvideox.deadlineSeconds).toBeGreaterThan(CATALOGUE.cogvideox.typicalPredictSeconds);
    expect(CATALOGUE['kling-v2.1'].deadlineSeconds).toBeGreaterThan(120);
    expect(CATALOGUE['hailuo-02'].deadlineSeconds).toBeGreaterThan(120);
  });

  test.each(MODEL_IDS)('%s: the reachable range is what its planner produces at the extremes', (id) => {
    const spec = CATALOGUE[id];
    const clip = (duration: number) => ({ clipIndex: 0, prompt: 'p', duration, imageUrl: IMAGE });
    expect(planClip(id, clip(spec.reachableDurations.min)).plannedDuration).toBe(spec.reachableDurations.min);
    expect(planClip(id, clip(spec.reachableDurations.max)).plannedDuration).toBe(spec.reachableDurations.max);
    const beyond = spec.reachableDurations.max + DURATION_TOLERANCE_SECONDS + 0.001;
    expect(invalidInputMessage(() => planClip(id, clip(beyond)))).toContain(`outside what ${id} can produce`);
  });

  test('image requirements match the planners', () => {
    expect(MODEL_IDS.filter((id) => CATALOGUE[id].requiresImage)).toEqual(['svd', 'kling-v2.1']);
    expect(MODEL_IDS.filter((id) => CATALOGUE[id].acceptsImage)).toEqual(['svd', 'kling-v2.1', 'hailuo-02']);
  });
});

describe('model ids', () => {
  test('isModelId accepts catalogue ids only', () => {
    expect(MODEL_IDS.every(isModelId)).toBe(true);
    expect([undefined, null, 'SVD', 'kling', 'toString', 'constructor', 3].some(isModelId)).toBe(false);
  });

  test('getModelSpec names the known models for an unknown id', () => {
    expect(getModelSpec('hailuo-02').label).toContain('Hailuo');
    expect(invalidInputMessage(() => getModelSpec('veo-3'))).toBe(
      'unknown model "veo-3"; known models: svd, cogvideox, kling-v2.1, hailuo-02',
    );
    expect(invalidInputMessage(() => planClip('veo-3' as ModelId, input().clip))).toContain('unknown model "veo-3"');
  });
});

describe('chooseModels', () => {
  test('with a first-frame image: SVD first, CogVideoX as fallback', () => {
    expect(chooseModels(input({}, IMAGE))).toEqual({ primary: 'svd', fallback: 'cogvideox' });
  });

  test('text only: CogVideoX first, Hailuo-02 as fallback (SVD needs an image)', () => {
    expect(chooseModels(input())).toEqual({ primary: 'cogvideox', fallback: 'hailuo-02' });
    expect(chooseModels(input({ settings: { resolution: '768p' } }))).toEqual({
      primary: 'cogvideox',
      fallback: 'hailuo-02',
    });
  });

  test('text only at 512p: no fallback, since Hailuo-02 may need a first frame at 512p', () => {
    expect(chooseModels(input({ settings: { resolution: '512p' } }))).toEqual({ primary: 'cogvideox', fallback: null });
    // With an image, 512p changes nothing: SVD and CogVideoX ignore the resolution.
    expect(chooseModels(input({ settings: { resolution: '512p' } }, IMAGE))).toEqual({
      primary: 'svd',
      fallback: 'cogvideox',
    });
  });

  test('explicit models win; a missing or null fallback means none', () => {
    expect(chooseModels(input({ models: { primary: 'kling-v2.1', fallback: 'svd' } }, IMAGE))).toEqual({
      primary: 'kling-v2.1',
      fallback: 'svd',
    });
    expect(chooseModels(input({ models: { primary: 'hailuo-02' } }))).toEqual({ primary: 'hailuo-02', fallback: null });
    expect(chooseModels(input({ models: { primary: 'svd', fallback: null } }, IMAGE))).toEqual({
      primary: 'svd',
      fallback: null,
    });
  });

  test('rejects a fallback equal to the primary and unknown ids', () => {
    expect(invalidInputMessage(() => chooseModels(input({ models: { primary: 'svd', fallback: 'svd' } })))).toMatch(
      /^models\.fallback must differ from models\.primary/,
    );
    expect(invalidInputMessage(() => chooseModels(input({ models: { primary: 'sora' as ModelId } })))).toBe(
      'models.primary must be one of svd, cogvideox, kling-v2.1, hailuo-02 (got "sora")',
    );
  });
});

describe('actualClipCost', () => {
  test('time-billed: price × predict_time, exactly', () => {
    expect(actualClipCost('svd', prediction('svd', { predictTime: 4.484541 }), '0.084000')).toEqual({
      amountUsd: '0.006278',
      source: 'actual',
      billingMetric: 'predict_time',
      unitPriceUsd: '0.001400',
      billingVariant: null,
      priceSource: 'catalogue:2026-11-25',
    });
    expect(actualClipCost('cogvideox', prediction('cogvideox', { predictTime: 181.25 }), '0.252').amountUsd).toBe(
      '0.253750',
    );
  });

  test('per output second: the variant price × video_output_duration_seconds, whatever the predict time', () => {
    const done = prediction('kling-v2.1', { predictTime: 210, videoOutputDurationSeconds: 5 });
    expect(actualClipCost('kling-v2.1', done, '0.25', {}, 'standard')).toEqual({
      amountUsd: '0.250000',
      source: 'actual',
      billingMetric: 'video_output_duration_seconds',
      unitPriceUsd: '0.050000',
      billingVariant: 'standard',
      priceSource: 'catalogue:2026-12-01',
    });
    const hailuo = prediction('hailuo-02', { videoOutputDurationSeconds: 10 });
    expect(actualClipCost('hailuo-02', hailuo, '0.7', {}, '768p')).toEqual(
      expect.objectContaining({ amountUsd: '0.700000', source: 'actual', billingVariant: '768p' }),
    );
  });

  test('books the variant the prediction reports, over the planned one', () => {
    // The observed shape of a real official video prediction's metrics.
    const reported = prediction('hailuo-02', {
      predictTime: 72.5,
      resolutionTarget: '1080p',
      videoOutputDurationSeconds: 10,
    });
    expect(actualClipCost('hailuo-02', reported, '0.7', {}, '768p')).toMatchObject({
      amountUsd: '0.800000',
      unitPriceUsd: '0.080000',
      billingVariant: '1080p',
    });
    const pro = prediction('kling-v2.1', { videoOutputDurationSeconds: 5, resolutionTarget: '1080p' });
    expect(actualClipCost('kling-v2.1', pro, '0.25', {}, 'standard')).toMatchObject({
      amountUsd: '0.450000',
      billingVariant: 'pro',
    });
    // model_variant names Kling's mode directly, and wins over resolution_target.
    const named = prediction('kling-v2.1', { videoOutputDurationSeconds: 10, modelVariant: 'standard' });
    expect(actualClipCost('kling-v2.1', named, '0.9', {}, 'pro')).toMatchObject({
      amountUsd: '0.500000',
      billingVariant: 'standard',
    });
  });

  test('books the planned variant when the prediction reports none or one the catalogue does not price', () => {
    const silent = prediction('kling-v2.1', { videoOutputDurationSeconds: 10 });
    expect(actualClipCost('kling-v2.1', silent, '0.9', {}, 'pro')).toMatchObject({
      amountUsd: '0.900000',
      billingVariant: 'pro',
    });
    const strange = prediction('hailuo-02', { videoOutputDurationSeconds: 6, resolutionTarget: '4k' });
    expect(actualClipCost('hailuo-02', strange, '0.36', {}, '512p')).toMatchObject({
      amountUsd: '0.360000',
      billingVariant: '512p',
    });
    // Neither reported nor planned (or planned as a variant the catalogue no longer has): the dearest, a bound.
    expect(actualClipCost('kling-v2.1', silent, '0.9')).toMatchObject({ amountUsd: '0.900000', billingVariant: 'pro' });
    const hailuo = prediction('hailuo-02', { videoOutputDurationSeconds: 6 });
    expect(actualClipCost('hailuo-02', hailuo, '0.48', {}, '720p')).toMatchObject({
      amountUsd: '0.480000',
      billingVariant: '1080p',
    });
  });

  test('falls back to the estimate when the billing metric is missing', () => {
    expect(actualClipCost('svd', prediction('svd'), '0.084')).toEqual({
      amountUsd: '0.084000',
      source: 'estimate',
      billingMetric: 'predict_time',
      unitPriceUsd: '0.001400',
      billingVariant: null,
      priceSource: 'catalogue:2026-11-25',
    });
    // A time figure does not stand in for the per-output metric.
    const kling = actualClipCost('kling-v2.1', prediction('kling-v2.1', { predictTime: 200 }), '0.25');
    expect(kling).toMatchObject({ amountUsd: '0.250000', source: 'estimate' });
    expect(actualClipCost('svd', prediction('svd', { predictTime: NaN }), '0.084').source).toBe('estimate');
  });

  test('an aborted prediction never ran and costs nothing', () => {
    const aborted = prediction('cogvideox', { status: 'aborted' });
    expect(actualClipCost('cogvideox', aborted, '0.252')).toMatchObject({ amountUsd: '0.000000', source: 'actual' });
  });

  test('a price override replaces the unit price in bookings and estimates', () => {
    const overrides = { svd: '0.000975', 'hailuo-02': '0.045' };
    const cost = actualClipCost('svd', prediction('svd', { predictTime: 10 }), '0.06', overrides);
    expect(cost).toMatchObject({ amountUsd: '0.009750', unitPriceUsd: '0.000975' });
    const clip = { clipIndex: 0, prompt: 'p', duration: 10 };
    expect(planClip('hailuo-02', clip, {}, overrides).estimatedCostUsd).toBe('0.450000');
    expect(planClip('hailuo-02', clip, {}, { svd: '1' }).estimatedCostUsd).toBe('0.700000');
  });

  test('a variant override wins over the model-wide one, for that variant only', () => {
    const overrides = { 'kling-v2.1': '0.07', 'kling-v2.1:pro': '0.11' };
    const clip = { clipIndex: 0, prompt: 'p', duration: 5, imageUrl: IMAGE };
    expect(planClip('kling-v2.1', clip, { resolution: '1080p' }, overrides).estimatedCostUsd).toBe('0.550000');
    expect(planClip('kling-v2.1', clip, {}, overrides).estimatedCostUsd).toBe('0.350000');
    const pro = prediction('kling-v2.1', { videoOutputDurationSeconds: 5, resolutionTarget: '1080p' });
    expect(actualClipCost('kling-v2.1', pro, '0', overrides, 'standard')).toMatchObject({
      amountUsd: '0.550000',
      unitPriceUsd: '0.11',
      billingVariant: 'pro',
      priceSource: 'override',
    });
  });

  test('rejects a malformed override, naming it', () => {
    expect(invalidInputMessage(() => actualClipCost('svd', prediction('svd'), '0.1', { svd: '-0.001' }))).toBe(
      'priceOverrides.svd must be a non-negative decimal USD price such as "0.0014" (got "-0.001")',
    );
    const silent = prediction('kling-v2.1', { videoOutputDurationSeconds: 5 });
    expect(
      invalidInputMessage(() => actualClipCost('kling-v2.1', silent, '0.1', { 'kling-v2.1:pro': 'x' }, 'pro')),
    ).toBe('priceOverrides.kling-v2.1:pro must be a non-negative decimal USD price such as "0.0014" (got "x")');
  });
});
