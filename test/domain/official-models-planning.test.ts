import { planClip } from '../../src/domain/catalogue';
import type { ClipPrompt, GenerationSettings } from '../../src/domain/types';
import { invalidInputMessage } from './expect-invalid-input';

const IMAGE = 'https://images.example.com/start.jpg';

function clip(duration: number, overrides: Partial<ClipPrompt> = {}): ClipPrompt {
  return { clipIndex: 1, prompt: 'waves on a rocky shore', duration, ...overrides };
}

describe('kling-v2.1', () => {
  const plan = (duration: number, settings: GenerationSettings = {}, overrides: Partial<ClipPrompt> = {}) =>
    planClip('kling-v2.1', clip(duration, { imageUrl: IMAGE, ...overrides }), settings);

  test.each([
    [3, 5],
    [4.5, 5],
    [5, 5],
    [6.1, 5],
    [7, 5],
    [8, 10],
    [10, 10],
    [12, 10],
  ])('target %s s → %i s', (target, seconds) => {
    const result = plan(target);
    expect(result.input.duration).toBe(seconds);
    expect(result.plannedDuration).toBe(seconds);
    expect(result.frames).toBe(seconds * 24);
    expect(result.fps).toBe(24);
  });

  test.each([2.99, 7.5, 12.01, 0.45, 1e9])('rejects %s s, listing the two durations', (target) => {
    expect(invalidInputMessage(() => plan(target))).toBe(
      `clip.duration ${target} s is outside what kling-v2.1 can produce (5 or 10 s, ±2 s tolerance)`,
    );
  });

  test.each([0, -5, NaN, Infinity])('rejects a target of %s', (target) => {
    expect(invalidInputMessage(() => plan(target))).toMatch(/^clip\.duration must be a finite number of seconds/);
  });

  test('builds the input from the clip, with mode from the resolution', () => {
    expect(plan(5, {}, { negativePrompt: 'text, watermark' }).input).toEqual({
      prompt: 'waves on a rocky shore',
      start_image: IMAGE,
      duration: 5,
      mode: 'standard',
      negative_prompt: 'text, watermark',
    });
    expect(plan(10, { resolution: '1080p' }).input.mode).toBe('pro');
    expect(plan(10, { resolution: '720p' }).summary).toBe(
      '240 frames at 24 fps (10 s, standard mode) on kwaivgi/kling-v2.1',
    );
  });

  test('requires a start image and a resolution it offers', () => {
    expect(invalidInputMessage(() => plan(5, {}, { imageUrl: undefined }))).toMatch(
      /^clip\.imageUrl is required by kling-v2\.1/,
    );
    expect(invalidInputMessage(() => plan(5, { resolution: '768p' }))).toBe(
      'settings.resolution must be 720p (standard) or 1080p (pro) for kling-v2.1 (got "768p")',
    );
  });

  test('estimates the unit price times the planned seconds', () => {
    expect(plan(5).estimatedCostUsd).toBe('0.250000');
    expect(plan(10).estimatedCostUsd).toBe('0.500000');
  });

  test('plans the billing variant of its mode, and estimates at that variant’s price', () => {
    expect(plan(5)).toMatchObject({ variant: 'standard', estimatedCostUsd: '0.250000' });
    expect(plan(5, { resolution: '720p' })).toMatchObject({ variant: 'standard', estimatedCostUsd: '0.250000' });
    // Pro mode was estimated (and reserved) at the standard price, 44 % under its cost.
    expect(plan(5, { resolution: '1080p' })).toMatchObject({ variant: 'pro', estimatedCostUsd: '0.450000' });
    expect(plan(10, { resolution: '1080p' })).toMatchObject({ variant: 'pro', estimatedCostUsd: '0.900000' });
  });
});

describe('hailuo-02', () => {
  const plan = (duration: number, settings: GenerationSettings = {}, overrides: Partial<ClipPrompt> = {}) =>
    planClip('hailuo-02', clip(duration, overrides), settings);

  test.each([
    [4, 6, '1080p'],
    [6, 6, '1080p'],
    [6.125, 6, '1080p'],
    [8, 6, '1080p'], // equally far from 6 and 10: the shorter clip is cheaper
    [8.01, 10, '768p'],
    [10, 10, '768p'],
    [12, 10, '768p'],
  ])('target %s s → %i s at %s', (target, seconds, resolution) => {
    const result = plan(target);
    expect(result.input).toEqual({ prompt: 'waves on a rocky shore', duration: seconds, resolution });
    expect(result.plannedDuration).toBe(seconds);
    expect(result.frames).toBe(seconds * 24);
  });

  test.each([3.99, 12.5, 0.45, 1e9])('rejects %s s', (target) => {
    expect(invalidInputMessage(() => plan(target))).toBe(
      `clip.duration ${target} s is outside what hailuo-02 can produce (6 or 10 s, ±2 s tolerance)`,
    );
  });

  test('a chosen 1080p or 512p allows only 6 s; 768p allows 10 s', () => {
    expect(plan(8, { resolution: '1080p' }).input.duration).toBe(6);
    expect(invalidInputMessage(() => plan(10, { resolution: '1080p' }))).toBe(
      'clip.duration 10 s is outside what hailuo-02 can produce at 1080p (6 s, ±2 s tolerance)',
    );
    expect(invalidInputMessage(() => plan(9, { resolution: '512p' }, { imageUrl: IMAGE }))).toContain('at 512p (6 s,');
    expect(plan(10, { resolution: '768p' }).input).toMatchObject({ duration: 10, resolution: '768p' });
    expect(plan(6, { resolution: '768p' }).input).toMatchObject({ duration: 6, resolution: '768p' });
  });

  test('takes an optional first frame and maps extendPrompt to prompt_optimizer', () => {
    expect(plan(6, { extendPrompt: false }, { imageUrl: IMAGE }).input).toEqual({
      prompt: 'waves on a rocky shore',
      first_frame_image: IMAGE,
      duration: 6,
      resolution: '1080p',
      prompt_optimizer: false,
    });
  });

  test('rejects a resolution it does not offer', () => {
    expect(invalidInputMessage(() => plan(6, { resolution: '720p' }))).toBe(
      'settings.resolution must be one of 512p, 768p, 1080p for hailuo-02 (got "720p")',
    );
  });

  test('summarises and estimates the planned clip', () => {
    const result = plan(10);
    expect(result.summary).toBe('240 frames at 24 fps (10 s, 768p) on minimax/hailuo-02');
    expect(result.estimatedCostUsd).toBe('0.700000');
  });

  test('plans the billing variant of its resolution, and estimates at that variant’s price', () => {
    expect(plan(6)).toMatchObject({ variant: '1080p', estimatedCostUsd: '0.480000' });
    // 768p was estimated (and reserved) at the 1080p price.
    expect(plan(10)).toMatchObject({ variant: '768p', estimatedCostUsd: '0.700000' });
    expect(plan(6, { resolution: '768p' })).toMatchObject({ variant: '768p', estimatedCostUsd: '0.420000' });
    expect(plan(6, { resolution: '512p' }, { imageUrl: IMAGE })).toMatchObject({
      variant: '512p',
      estimatedCostUsd: '0.360000',
    });
  });

  test('refuses 512p without a first frame, naming clip.imageUrl and settings.resolution', () => {
    const message = invalidInputMessage(() => plan(6, { resolution: '512p' }));
    expect(message).toMatch(/^clip\.imageUrl is required by hailuo-02 at settings\.resolution 512p/);
    expect(message).toContain('choose 768p or 1080p');
    expect(plan(6, { resolution: '512p' }, { imageUrl: IMAGE }).input).toMatchObject({
      first_frame_image: IMAGE,
      resolution: '512p',
    });
    // Text only is fine at the other resolutions, and by default.
    expect(plan(6, { resolution: '768p' }).input).not.toHaveProperty('first_frame_image');
    expect(plan(6).input).toMatchObject({ resolution: '1080p' });
  });
});
