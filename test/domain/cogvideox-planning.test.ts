import { planClip } from '../../src/domain/catalogue';
import type { ClipPrompt, GenerationSettings } from '../../src/domain/types';
import { invalidInputMessage } from './expect-invalid-input';

function clip(duration: number, overrides: Partial<ClipPrompt> = {}): ClipPrompt {
  return { clipIndex: 3, prompt: 'a paper boat on a river', duration, ...overrides };
}

function plan(duration: number, settings: GenerationSettings = {}) {
  return planClip('cogvideox', clip(duration), settings);
}

describe('cogvideox duration planning', () => {
  test.each([4.125, 4.17, 4.2, 5, 6, 6.1, 6.125, 6.2, 7, 8, 8.125])('target %s s → 49 frames at 8 fps', (target) => {
    const result = plan(target);
    expect(result.frames).toBe(49);
    expect(result.fps).toBe(8);
    expect(result.plannedDuration).toBe(6.125);
    expect(result.summary).toBe('49 frames at 8 fps (6.125 s) on cuuupid/cogvideox-5b');
  });

  test.each([4.1, 4.124, 8.126, 8.13, 0.45, 1e9])('rejects %s s, naming its only duration', (target) => {
    expect(invalidInputMessage(() => plan(target))).toBe(
      `clip.duration ${target} s is outside what cogvideox can produce (6.125 s, ±2 s tolerance)`,
    );
  });

  test.each([0, -6, NaN, Infinity])('rejects a target of %s', (target) => {
    expect(invalidInputMessage(() => plan(target))).toMatch(/^clip\.duration must be a finite number of seconds/);
  });
});

describe('cogvideox inputs', () => {
  test('sends the prompt, and steps, guidance, seed and extend_prompt only when given', () => {
    expect(plan(6).input).toEqual({ prompt: 'a paper boat on a river' });
    expect(plan(6, { steps: 30, guidance: 7.5, seed: 7, extendPrompt: false, motion: 99 }).input).toEqual({
      prompt: 'a paper boat on a river',
      steps: 30,
      guidance: 7.5,
      seed: 7,
      extend_prompt: false,
    });
  });

  test('is text only: a first-frame image is left out of the input and noted in the summary', () => {
    const result = planClip('cogvideox', clip(6, { imageUrl: 'https://example.com/a.png', negativePrompt: 'blur' }));
    expect(result.input).toEqual({ prompt: 'a paper boat on a river' });
    expect(result.summary).toContain('the first-frame image is not used');
  });

  test.each([
    [{ steps: 0 }, 'settings.steps must be an integer from 1 to 120 for cogvideox (got 0)'],
    [{ steps: 121 }, 'settings.steps must be an integer from 1 to 120 for cogvideox (got 121)'],
    [{ guidance: 12.5 }, 'settings.guidance must be a number from 0 to 12 for cogvideox (got 12.5)'],
    [{ extendPrompt: 'yes' }, 'settings.extendPrompt must be true or false for cogvideox (got "yes")'],
  ])('rejects settings %j', (settings, message) => {
    expect(invalidInputMessage(() => plan(6, settings as unknown as GenerationSettings))).toBe(message);
  });

  test('estimates 180 s of A100 time', () => {
    expect(plan(6).estimatedCostUsd).toBe('0.252000');
  });
});
