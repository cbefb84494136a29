/**
 * The edges of the small checks validation and planning are built from: range ends, control characters at the
 * first position and at the ends of the C1 block, durations given as numbers, and blank optional text.
 */
import type { ClipPrompt } from '../../src/domain/types';
import { describeRange, exactSeconds, formatSeconds } from '../../src/domain/duration-planning';
import { requireDuration, requireInteger, requireNumber, requireText } from '../../src/domain/field-checks';
import { negativePrompt, optionalImageUrl, requireImageUrl } from '../../src/domain/plan-inputs';
import { validateGenerateClipInput } from '../../src/domain/validation';
import { invalidInputMessage } from './expect-invalid-input';

const clip = (fields: Partial<ClipPrompt>): ClipPrompt => ({ clipIndex: 0, prompt: 'p', duration: 3, ...fields });

describe('number ranges include both ends and nothing past them', () => {
  test.each([
    ['requireInteger', requireInteger],
    ['requireNumber', requireNumber],
  ])('%s', (_name, check) => {
    expect(check(1, 'settings.x', 1, 10)).toBe(1);
    expect(check(10, 'settings.x', 1, 10)).toBe(10);
    expect(invalidInputMessage(() => check(0, 'settings.x', 1, 10))).toMatch(/^settings\.x must be .* from 1 to 10/);
    expect(invalidInputMessage(() => check(11, 'settings.x', 1, 10))).toMatch(/^settings\.x must be .* from 1 to 10/);
  });

  test('a clip of exactly the longest duration is accepted, a longer one is not', () => {
    const input = (duration: number) => ({ jobId: '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b', clip: clip({ duration }) });
    expect(validateGenerateClipInput(input(600)).clip.duration).toBe(600);
    expect(invalidInputMessage(() => validateGenerateClipInput(input(600.5)))).toBe(
      'clip.duration must be at most 600 seconds (got 600.5)',
    );
  });
});

describe('text refuses control characters, wherever they are, naming the code point', () => {
  test.each([
    ['\u001bp', 'U+001B at character 1'],
    ['a\u007fb', 'U+007F at character 2'],
    ['a\u0080b', 'U+0080 at character 2'],
    ['a\u009fb', 'U+009F at character 2'],
  ])('%j', (text, found) => {
    expect(invalidInputMessage(() => requireText(text, 'clip.prompt', 100))).toBe(
      `clip.prompt must not contain control characters other than newline and tab (found ${found})`,
    );
  });

  test('newline, tab and the first character after the C1 block are text', () => {
    expect(requireText('a\nb\tc\u00a0d', 'clip.prompt', 100)).toBe('a\nb\tc\u00a0d');
  });
});

describe('durations', () => {
  const limits = { minMs: 1_000, maxMs: 60_000, describeMin: '1 s', describeMax: '1 minute' };

  test('a number is milliseconds, as Temporal reads it', () => {
    expect(requireDuration(3_000, 'deadline', limits)).toBe(3_000);
    expect(invalidInputMessage(() => requireDuration(90_000, 'deadline', limits))).toBe(
      'deadline must be from 1 s to 1 minute (got 90000, 90000 ms)',
    );
    expect(invalidInputMessage(() => requireDuration(Number.POSITIVE_INFINITY, 'deadline', limits))).toMatch(
      /^deadline must be a duration such as/,
    );
  });
});

describe('optional clip fields left blank count as absent', () => {
  test('an empty first frame', () => {
    expect(optionalImageUrl(clip({ imageUrl: '' }))).toBeUndefined();
    expect(optionalImageUrl(clip({ imageUrl: 'https://example.com/a.png' }))).toBe('https://example.com/a.png');
    expect(invalidInputMessage(() => requireImageUrl(clip({ imageUrl: '' }), 'svd'))).toBe(
      'clip.imageUrl is required by svd: it is an image-to-video model that animates a first-frame image',
    );
    expect(requireImageUrl(clip({ imageUrl: 'https://example.com/a.png' }), 'svd')).toBe('https://example.com/a.png');
  });

  test('a negative prompt of spaces', () => {
    expect(negativePrompt(clip({ negativePrompt: '   ' }))).toBeUndefined();
    expect(negativePrompt(clip({}))).toBeUndefined();
    expect(negativePrompt(clip({ negativePrompt: 'blurry' }))).toBe('blurry');
  });
});

describe('durations as people read them', () => {
  test('up to three lengths are listed, more become a range', () => {
    const seconds = (...values: number[]) => values.map((value) => exactSeconds(value));
    expect(describeRange(seconds(2, 3, 4))).toBe('2, 3 or 4');
    expect(describeRange(seconds(2, 3, 4, 5))).toBe('2–5');
    expect(describeRange(seconds(4, 2))).toBe('2 or 4');
  });

  test('only trailing zeros are dropped', () => {
    expect(formatSeconds(exactSeconds(41, 20))).toBe('2.05');
    expect(formatSeconds(exactSeconds(201, 100))).toBe('2.01');
    expect(formatSeconds(exactSeconds(5, 2))).toBe('2.5');
  });
});

describe('unknown keys are named with their path', () => {
  const base = { jobId: '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b', clip: clip({}) };

  test('settings that are not an object', () => {
    expect(invalidInputMessage(() => validateGenerateClipInput({ ...base, settings: 5 }))).toBe(
      'settings must be an object (got 5)',
    );
  });

  test('in models and in settings', () => {
    expect(
      invalidInputMessage(() => validateGenerateClipInput({ ...base, models: { primary: 'svd', typo: 1 } })),
    ).toMatch(/^models\.typo is not a known field/);
    expect(invalidInputMessage(() => validateGenerateClipInput({ ...base, settings: { fsp: 6 } }))).toMatch(
      /^settings\.fsp is not a known field/,
    );
  });
});
