import { validateGenerateClipInput } from '../../src/domain/validation';
import { invalidInputMessage } from './expect-invalid-input';

const JOB_ID = '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b';

function validInput(): Record<string, unknown> {
  return { jobId: JOB_ID, clip: { clipIndex: 2, prompt: 'a red kite over green hills', duration: 4 } };
}

function withClip(clip: Record<string, unknown>): Record<string, unknown> {
  const input = validInput();
  return { ...input, clip: { ...(input.clip as object), ...clip } };
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...validInput(), [field]: value };
}

describe('validateGenerateClipInput accepts and normalises', () => {
  test('a minimal input comes back unchanged', () => {
    expect(validateGenerateClipInput(validInput())).toEqual(validInput());
  });

  test('a full input keeps every field', () => {
    const full = {
      jobId: JOB_ID.toUpperCase(),
      clip: {
        clipIndex: 0,
        prompt: 'p',
        negativePrompt: 'blurry',
        duration: 0.45,
        imageUrl: 'https://cdn.example.com/frames/0.png?sig=a%2Fb&x=1',
      },
      models: { primary: 'svd', fallback: 'cogvideox' },
      settings: {
        fps: 6,
        seed: 4294967295,
        motion: 127,
        condAug: 0.02,
        resolution: '768p',
        aspectRatio: '9:16',
        steps: 50,
        guidance: 6,
        extendPrompt: true,
      },
      environment: 'production',
      pollInterval: '3s',
      deadline: 120000,
      startLimit: '10 minutes',
    };
    expect(validateGenerateClipInput(full)).toEqual({ ...full, jobId: JOB_ID });
  });

  test('the job id comes back in its canonical form, lowercase: one job whatever case it was given in', () => {
    const mixed = `${JOB_ID.slice(0, 18).toUpperCase()}${JOB_ID.slice(18)}`;
    expect(validateGenerateClipInput(withField('jobId', JOB_ID.toUpperCase())).jobId).toBe(JOB_ID);
    expect(validateGenerateClipInput(withField('jobId', mixed)).jobId).toBe(JOB_ID);
  });

  test('prompts are trimmed and CRLF becomes LF; newlines and tabs are kept', () => {
    const result = validateGenerateClipInput(withClip({ prompt: '  shot 1:\r\n\ta kite  ', negativePrompt: ' fog ' }));
    expect(result.clip.prompt).toBe('shot 1:\n\ta kite');
    expect(result.clip.negativePrompt).toBe('fog');
  });

  test('null optional fields and a blank negative prompt are dropped', () => {
    const result = validateGenerateClipInput({
      ...withClip({ negativePrompt: '   ', imageUrl: null }),
      models: null,
      settings: { seed: null },
      deadline: null,
    });
    expect(result).toEqual({ ...validInput(), settings: {} });
  });

  test('a null fallback means no fallback', () => {
    expect(validateGenerateClipInput(withField('models', { primary: 'hailuo-02' })).models).toEqual({
      primary: 'hailuo-02',
      fallback: null,
    });
  });

  test.each(['100ms', '2 minutes', '1h', 100])('pollInterval %j is accepted', (pollInterval) => {
    expect(validateGenerateClipInput(withField('pollInterval', pollInterval)).pollInterval).toBe(pollInterval);
  });

  test('a prompt of exactly 2000 characters (emoji counted once) is accepted', () => {
    expect(validateGenerateClipInput(withClip({ prompt: '🎬'.repeat(2000) })).clip.prompt).toHaveLength(4000);
  });

  test('loopback image hosts pass here: the download layer checks hosts after DNS', () => {
    const result = validateGenerateClipInput(withClip({ imageUrl: 'http://127.0.0.1:8080/frame.png' }));
    expect(result.clip.imageUrl).toBe('http://127.0.0.1:8080/frame.png');
  });
});

describe('validateGenerateClipInput rejects, naming the field', () => {
  test.each<[string, unknown, string]>([
    ['input is not an object', null, 'input must be an object (got null)'],
    ['input is an array', [], 'input must be an object (got an array)'],
    ['unknown top-level field', withField('budget', 1), 'budget is not a known field'],
    ['jobId missing', { clip: validInput().clip }, 'jobId must be a UUID'],
    ['jobId not a UUID', withField('jobId', 'job-42'), 'jobId must be a UUID such as'],
    ['jobId without dashes', withField('jobId', JOB_ID.replace(/-/g, '')), 'jobId must be a UUID'],
    ['jobId with braces', withField('jobId', `{${JOB_ID}}`), 'jobId must be a UUID'],
    ['clip missing', { jobId: JOB_ID }, 'clip must be an object (got undefined)'],
    ['unknown clip field', withClip({ imageURL: 'https://x.example/a.png' }), 'clip.imageURL is not a known field'],
    ['clipIndex negative', withClip({ clipIndex: -1 }), 'clip.clipIndex must be an integer from 0 to 100000 (got -1)'],
    ['clipIndex fractional', withClip({ clipIndex: 1.5 }), 'clip.clipIndex must be an integer from 0 to 100000'],
    [
      'clipIndex a string',
      withClip({ clipIndex: '3' }),
      'clip.clipIndex must be an integer from 0 to 100000 (got "3")',
    ],
    ['clipIndex too large', withClip({ clipIndex: 100001 }), 'clip.clipIndex must be an integer from 0 to 100000'],
    ['prompt missing', withClip({ prompt: undefined }), 'clip.prompt must be a string (got undefined)'],
    ['prompt blank', withClip({ prompt: ' \n\t ' }), 'clip.prompt must not be empty'],
    [
      'prompt too long',
      withClip({ prompt: 'a'.repeat(2001) }),
      'clip.prompt must be at most 2000 characters (got 2001)',
    ],
    ['prompt with NUL', withClip({ prompt: 'a\u0000b' }), 'clip.prompt must not contain control characters'],
    ['prompt with bell', withClip({ prompt: 'ding\u0007' }), '(found U+0007 at character 5)'],
    ['prompt with lone CR', withClip({ prompt: 'a\rb' }), 'clip.prompt must not contain control characters'],
    ['negativePrompt not text', withClip({ negativePrompt: 5 }), 'clip.negativePrompt must be a string (got 5)'],
    ['negativePrompt too long', withClip({ negativePrompt: 'n'.repeat(2001) }), 'clip.negativePrompt must be at most'],
    [
      'duration NaN',
      withClip({ duration: NaN }),
      'clip.duration must be a finite number of seconds greater than 0 (got NaN)',
    ],
    [
      'duration zero',
      withClip({ duration: 0 }),
      'clip.duration must be a finite number of seconds greater than 0 (got 0)',
    ],
    [
      'duration negative',
      withClip({ duration: -2 }),
      'clip.duration must be a finite number of seconds greater than 0',
    ],
    ['duration infinite', withClip({ duration: Infinity }), 'clip.duration must be a finite number of seconds'],
    [
      'duration a string',
      withClip({ duration: '4' }),
      'clip.duration must be a finite number of seconds greater than 0 (got "4")',
    ],
    ['duration 1e9', withClip({ duration: 1e9 }), 'clip.duration must be at most 600 seconds (got 1000000000)'],
    [
      'imageUrl file:',
      withClip({ imageUrl: 'file:///etc/passwd' }),
      'clip.imageUrl must be an http or https URL (got a file: URL)',
    ],
    ['imageUrl ftp:', withClip({ imageUrl: 'ftp://example.com/a.png' }), 'clip.imageUrl must be an http or https URL'],
    [
      'imageUrl data:',
      withClip({ imageUrl: 'data:image/png;base64,AAAA' }),
      'clip.imageUrl must be an http or https URL',
    ],
    [
      'imageUrl relative',
      withClip({ imageUrl: '/frames/0.png' }),
      'clip.imageUrl must be an absolute http or https URL',
    ],
    [
      'imageUrl with space',
      withClip({ imageUrl: 'https://example.com/a b.png' }),
      'clip.imageUrl must not contain spaces',
    ],
    [
      'imageUrl too long',
      withClip({ imageUrl: `https://example.com/${'a'.repeat(2030)}` }),
      'clip.imageUrl must be at most 2048',
    ],
    ['imageUrl not a string', withClip({ imageUrl: 42 }), 'clip.imageUrl must be a string URL (got 42)'],
    ['models not an object', withField('models', 'svd'), 'models must be an object (got "svd")'],
    [
      'models.primary unknown',
      withField('models', { primary: 'sora' }),
      'models.primary must be one of svd, cogvideox',
    ],
    ['models.primary missing', withField('models', { fallback: 'svd' }), 'models.primary must be one of'],
    [
      'models.fallback unknown',
      withField('models', { primary: 'svd', fallback: 'veo' }),
      'models.fallback must be one of',
    ],
    ['models.fallback equal', withField('models', { primary: 'svd', fallback: 'svd' }), 'models.fallback must differ'],
    [
      'unknown settings key',
      withField('settings', { frames: 25 }),
      'settings.frames is not a known field (known: fps,',
    ],
    ['settings.fps zero', withField('settings', { fps: 0 }), 'settings.fps must be an integer from 1 to 60 (got 0)'],
    ['settings.fps fractional', withField('settings', { fps: 23.976 }), 'settings.fps must be an integer from 1 to 60'],
    [
      'settings.seed too big',
      withField('settings', { seed: 2 ** 32 }),
      'settings.seed must be an integer from 0 to 4294967295',
    ],
    [
      'settings.motion string',
      withField('settings', { motion: 'high' }),
      'settings.motion must be an integer from 1 to 255',
    ],
    [
      'settings.condAug NaN',
      withField('settings', { condAug: NaN }),
      'settings.condAug must be a finite number from 0 to 1',
    ],
    ['settings.steps fractional', withField('settings', { steps: 2.5 }), 'settings.steps must be an integer'],
    [
      'settings.guidance negative',
      withField('settings', { guidance: -1 }),
      'settings.guidance must be a finite number',
    ],
    [
      'settings.aspectRatio',
      withField('settings', { aspectRatio: '4:3' }),
      'settings.aspectRatio must be one of 16:9, 9:16, 1:1',
    ],
    [
      'settings.resolution',
      withField('settings', { resolution: 'HD' }),
      'settings.resolution must be a resolution such as',
    ],
    [
      'settings.extendPrompt',
      withField('settings', { extendPrompt: 1 }),
      'settings.extendPrompt must be true or false (got 1)',
    ],
    [
      'environment',
      withField('environment', 'staging'),
      'environment must be one of production, development (got "staging")',
    ],
    ['pollInterval garbage', withField('pollInterval', 'soon'), 'pollInterval must be a duration such as "3s"'],
    [
      'pollInterval too short',
      withField('pollInterval', '10ms'),
      'pollInterval must be from 100 ms to 1 hour (got "10ms", 10 ms)',
    ],
    ['pollInterval negative', withField('pollInterval', -5), 'pollInterval must be from 100 ms to 1 hour'],
    ['pollInterval NaN', withField('pollInterval', NaN), 'pollInterval must be a duration such as'],
    ['deadline too short', withField('deadline', '500ms'), 'deadline must be from 1 second to 24 hours'],
    ['deadline too long', withField('deadline', '2 days'), 'deadline must be from 1 second to 24 hours'],
    [
      'deadline an object',
      withField('deadline', { seconds: 5 }),
      'deadline must be a duration such as "3s" or "2 minutes", or a number of milliseconds (got an object)',
    ],
    ['startLimit too short', withField('startLimit', '500ms'), 'startLimit must be from 1 second to 6 hours'],
    ['startLimit too long', withField('startLimit', '1 day'), 'startLimit must be from 1 second to 6 hours'],
  ])('%s', (_case, input, expected) => {
    const message = invalidInputMessage(() => validateGenerateClipInput(input));
    expect(message).toContain(expected);
    expect(message).toMatch(
      /^(input|jobId|clip|models|settings|environment|pollInterval|deadline|startLimit|budget)\b/,
    );
  });

  test('credentials in an image URL are refused without echoing them', () => {
    const message = invalidInputMessage(() =>
      validateGenerateClipInput(withClip({ imageUrl: 'https://admin:hunter2@example.com/a.png' })),
    );
    expect(message).toBe('clip.imageUrl must not contain a username or password');
  });

  test('a long bad value is shortened in the message', () => {
    const message = invalidInputMessage(() => validateGenerateClipInput(withField('jobId', 'x'.repeat(500))));
    expect(message.length).toBeLessThan(200);
  });
});
