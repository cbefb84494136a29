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

  test('community models bill hardware time; official ones bill output seconds', () => {
    expect(CATALOGUE.svd.price).toMatchObject({ kind: 'hardware-time', usdPerSecond: '0.001400' });
    expect(CATALOGUE.cogvideox.price).toMatchObject({ kind: 'hardware-time', usdPerSecond: '0.001400' });
    expect(CATALOGUE['kling-v2.1'].price).toMatchObject({ kind: 'per-output-second', usdPerUnit: '0.050000' });
    expect(CATALOGUE['hailuo-02'].price).toMatchObject({ kind: 'per-output-second', usdPerUnit: '0.080000' });
    for (const id of MODEL_IDS) {
      expect(CATALOGUE[id].price.checkedOn).toBe('2026-11-25');
      expect(CATALOGUE[id].price.note).toMatch(/^Unconfirmed/);
    }
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
    });
    expect(actualClipCost('cogvideox', prediction('cogvideox', { predictTime: 181.25 }), '0.252').amountUsd).toBe(
      '0.253750',
    );
  });

  test('per output second: price × video_output_duration_seconds, whatever the predict time', () => {
    const done = prediction('kling-v2.1', { predictTime: 210, videoOutputDurationSeconds: 5 });
    expect(actualClipCost('kling-v2.1', done, '0.25')).toEqual({
      amountUsd: '0.250000',
      source: 'actual',
      billingMetric: 'video_output_duration_seconds',
      unitPriceUsd: '0.050000',
    });
    expect(actualClipCost('hailuo-02', prediction('hailuo-02', { videoOutputDurationSeconds: 10 }), '0.8')).toEqual(
      expect.objectContaining({ amountUsd: '0.800000', source: 'actual' }),
    );
  });

  test('falls back to the estimate when the billing metric is missing', () => {
    expect(actualClipCost('svd', prediction('svd'), '0.084')).toEqual({
      amountUsd: '0.084000',
      source: 'estimate',
      billingMetric: 'predict_time',
      unitPriceUsd: '0.001400',
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
    expect(planClip('hailuo-02', clip, {}, { svd: '1' }).estimatedCostUsd).toBe('0.800000');
  });

  test('rejects a malformed override, naming it', () => {
    expect(invalidInputMessage(() => actualClipCost('svd', prediction('svd'), '0.1', { svd: '-0.001' }))).toBe(
      'priceOverrides.svd must be a non-negative decimal USD price such as "0.0014" (got "-0.001")',
    );
  });
});
