import { FaultBook, parseFault } from '../../simulator/faults';
import { svdFrameSize } from '../../simulator/models/svd';
import { isoMicros, parseDuration, parsePreferWait } from '../../simulator/time';

describe('Cancel-After durations', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['45', 45_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '0s', '-5s', '5 minutes', 'm5'])('%j is refused', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe('Prefer: wait', () => {
  it.each([
    [undefined, null],
    ['wait', 60],
    ['wait=5', 5],
    ['wait=0', 1],
    ['wait=99', 60],
    ['respond-async, wait=10', 10],
    ['respond-async', null],
  ])('%j holds for %j seconds', (header, seconds) => expect(parsePreferWait(header)).toBe(seconds));
});

describe('timestamps', () => {
  it('are ISO 8601 with microseconds', () => {
    expect(isoMicros(Date.parse('2023-09-08T16:19:34.765Z') + 0.994)).toBe('2023-09-08T16:19:34.765994Z');
  });
});

describe('SVD frame sizes', () => {
  it.each([
    ['maintain_aspect_ratio', { width: 1920, height: 1080 }, { width: 1024, height: 576 }],
    ['maintain_aspect_ratio', { width: 400, height: 400 }, { width: 576, height: 576 }],
    ['maintain_aspect_ratio', { width: 768, height: 1024 }, { width: 384, height: 576 }],
    ['crop_to_16_9', { width: 400, height: 400 }, { width: 1024, height: 576 }],
    ['use_image_dimensions', { width: 700, height: 500 }, { width: 640, height: 448 }],
    ['maintain_aspect_ratio', null, { width: 1024, height: 576 }],
  ])('%s of %j is %j', (strategy, image, size) => expect(svdFrameSize(strategy, image)).toEqual(size));
});

describe('fault book', () => {
  it('uses a fault the given number of times, then forgets it', () => {
    const book = new FaultBook();
    book.add({ kind: 'http-error', status: 500, times: 2 });
    expect(book.take('create', {}, ['http-error'])).not.toBeNull();
    expect(book.list()).toEqual([{ kind: 'http-error', status: 500, times: 1 }]);
    expect(book.take('create', {}, ['http-error'])).not.toBeNull();
    expect(book.take('create', {}, ['http-error'])).toBeNull();
  });

  it('keeps "always" and Infinity faults, and matches routes and models', () => {
    const book = new FaultBook();
    book.add([
      { kind: 'reset', route: 'get', times: 'always', model: 'svd' },
      { kind: 'delay', ms: 5, times: Infinity },
    ]);
    for (let i = 0; i < 5; i += 1) {
      expect(
        book.take('get', { model: 'stability-ai/stable-video-diffusion', modelKey: 'svd' }, ['reset']),
      ).not.toBeNull();
    }
    expect(book.take('get', { model: 'cuuupid/cogvideox-5b', modelKey: 'cogvideox' }, ['reset'])).toBeNull();
    expect(book.take('create', {}, ['reset'])).toBeNull();
    expect(book.take('create', {}, ['delay'])).toMatchObject({ ms: 5 });
    expect(book.list().map((fault) => fault.times)).toEqual(['always', 'always']);
  });

  it.each([
    [{ kind: 'http-error' }, /status between 400 and 599/],
    [{ kind: 'http-error', status: 429, retryAfter: -1 }, /retryAfter/],
    [{ kind: 'delay' }, /ms >= 0/],
    [{ kind: 'prediction-failed' }, /error string/],
    [{ kind: 'reset', times: 0 }, /times/],
    [{ kind: 'reset', route: 'upload' }, /route/],
    ['reset', /must be an object/],
  ])('refuses %j', (fault, message) => expect(() => parseFault(fault)).toThrow(message));
});
