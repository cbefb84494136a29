import { planClip } from '../../src/domain/catalogue';
import type { ClipPrompt, GenerationSettings } from '../../src/domain/types';
import { invalidInputMessage } from './expect-invalid-input';

const IMAGE = 'https://images.example.com/first-frame.png';

function clip(duration: number, overrides: Partial<ClipPrompt> = {}): ClipPrompt {
  return { clipIndex: 0, prompt: 'a lighthouse at dusk', duration, imageUrl: IMAGE, ...overrides };
}

function plan(duration: number, settings: GenerationSettings = {}) {
  return planClip('svd', clip(duration), settings);
}

describe('svd duration planning', () => {
  test.each([
    // target, frames, frames_per_second, exact planned duration = frames / (frames_per_second + 1)
    [0.0001, 14, 30, 14 / 31],
    [0.45, 14, 30, 14 / 31],
    [0.4516, 14, 30, 14 / 31],
    [0.5, 14, 27, 14 / 28],
    [1, 14, 13, 1], // 14/14 and 25/25 are both 1 s: the 14-frame run is cheaper
    [2, 14, 6, 2],
    [2.5, 25, 9, 2.5],
    [3, 25, 7, 25 / 8],
    [3.5, 25, 6, 25 / 7],
    [4.17, 25, 5, 25 / 6],
    [4.1667, 25, 5, 25 / 6],
    [5, 25, 5, 25 / 6],
    [6.16, 25, 5, 25 / 6],
  ])('target %s s → %i frames at frames_per_second %i', (target, frames, framesPerSecond, seconds) => {
    const result = plan(target);
    expect(result.input.video_length).toBe(frames === 14 ? '14_frames_with_svd' : '25_frames_with_svd_xt');
    expect(result.input.frames_per_second).toBe(framesPerSecond);
    expect(result.frames).toBe(frames);
    expect(result.fps).toBe(framesPerSecond + 1);
    expect(result.plannedDuration).toBe(seconds);
  });

  test('the shortest and longest outputs are 14 frames at 31 fps and 25 frames at 6 fps', () => {
    expect(plan(0.45).summary).toBe('14 frames at 31 fps (0.452 s) on stability-ai/stable-video-diffusion');
    expect(plan(4.17).summary).toBe('25 frames at 6 fps (4.167 s) on stability-ai/stable-video-diffusion');
    expect(plan(3.5).summary).toBe('25 frames at 7 fps (3.571 s) on stability-ai/stable-video-diffusion');
  });

  test('a target 2 s past the longest output is accepted, one a hair further is not', () => {
    expect(plan(6.16).plannedDuration).toBe(25 / 6);
    expect(plan(6.1666).plannedDuration).toBe(25 / 6);
    expect(invalidInputMessage(() => plan(6.1667))).toBe(
      'clip.duration 6.1667 s is outside what svd can produce (0.45–4.17 s, ±2 s tolerance)',
    );
    expect(invalidInputMessage(() => plan(6.17))).toContain('clip.duration 6.17 s is outside what svd can produce');
  });

  test.each([7, 10, 1e9])('rejects %s s, naming the reachable range', (target) => {
    expect(invalidInputMessage(() => plan(target))).toBe(
      `clip.duration ${target} s is outside what svd can produce (0.45–4.17 s, ±2 s tolerance)`,
    );
  });

  test.each([0, -1, NaN, Infinity, -Infinity])('rejects a target of %s', (target) => {
    expect(invalidInputMessage(() => plan(target))).toBe(
      `clip.duration must be a finite number of seconds greater than 0 (got ${target})`,
    );
  });

  test('settings.fps fixes frames_per_second and only the frame count is chosen', () => {
    const result = plan(3, { fps: 9 });
    expect(result.input.frames_per_second).toBe(9);
    expect(result.input.video_length).toBe('25_frames_with_svd_xt');
    expect(result.plannedDuration).toBe(2.5);
    // 1.4 s and 2.5 s are equally far from 1.95 s: the 14-frame run is cheaper.
    expect(plan(1.95, { fps: 9 }).frames).toBe(14);
  });

  test('with a fixed fps the reachable durations in the message are that fps’s', () => {
    expect(invalidInputMessage(() => plan(5, { fps: 30 }))).toBe(
      'clip.duration 5 s is outside what svd can produce at frames_per_second 30 (0.45 or 0.81 s, ±2 s tolerance)',
    );
  });
});

describe('svd inputs', () => {
  test('sends only the documented inputs, with settings passed through when given', () => {
    expect(plan(2).input).toEqual({
      input_image: IMAGE,
      video_length: '14_frames_with_svd',
      frames_per_second: 6,
      sizing_strategy: 'maintain_aspect_ratio',
    });
    expect(plan(2, { motion: 180, condAug: 0.05, seed: 42, aspectRatio: '16:9', steps: 10 }).input).toEqual({
      input_image: IMAGE,
      video_length: '14_frames_with_svd',
      frames_per_second: 6,
      sizing_strategy: 'crop_to_16_9',
      motion_bucket_id: 180,
      cond_aug: 0.05,
      seed: 42,
    });
  });

  test('a seed of 0 is passed through', () => {
    expect(plan(2, { seed: 0 }).input.seed).toBe(0);
  });

  test('requires a first-frame image', () => {
    const message = invalidInputMessage(() => planClip('svd', clip(2, { imageUrl: undefined })));
    expect(message).toMatch(/^clip\.imageUrl is required by svd/);
  });

  test.each([
    [{ fps: 4 }, 'settings.fps must be an integer from 5 to 30 for svd (got 4)'],
    [{ fps: 31 }, 'settings.fps must be an integer from 5 to 30 for svd (got 31)'],
    [{ fps: 6.5 }, 'settings.fps must be an integer from 5 to 30 for svd (got 6.5)'],
    [{ motion: 0 }, 'settings.motion must be an integer from 1 to 255 for svd (got 0)'],
    [{ motion: 256 }, 'settings.motion must be an integer from 1 to 255 for svd (got 256)'],
    [{ condAug: -0.1 }, 'settings.condAug must be a number from 0 to 1 for svd (got -0.1)'],
    [{ seed: -1 }, 'settings.seed must be an integer from 0 to 4294967295 for svd (got -1)'],
  ])('rejects settings %j', (settings, message) => {
    expect(invalidInputMessage(() => plan(2, settings as GenerationSettings))).toBe(message);
  });

  test('estimates the cost from the typical run time at the A100 price', () => {
    expect(plan(2).estimatedCostUsd).toBe('0.084000');
  });
});
