/**
 * Every branch of Replicate's HTTP error table (src/replicate/classify-error.ts), one behaviour a test, without a
 * server: the type the workflow decides by, the delay it waits, and the message an operator reads.
 */
import { FailureType } from '../../src/domain/failures';
import {
  classifyHttpError,
  classifyNetworkError,
  classifyReplicateError,
  httpErrorInfoFromApiError,
  isNetworkError,
  redactSecrets,
  retryDelayFromDetail,
  type HttpErrorInfo,
  type ReplicateCallContext,
} from '../../src/replicate/classify-error';
import { TOKEN } from './failure-helpers';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const create: ReplicateCallContext = { operation: 'create', model: 'svd' };
const get: ReplicateCallContext = { operation: 'get', model: 'svd', predictionId: 'p7' };

function http(status: number, body = '', retryAfter: string | null = null, statusText?: string): HttpErrorInfo {
  return { status, body, retryAfter, statusText };
}

describe('HTTP statuses from Replicate', () => {
  it('a 429 waits as long as Retry-After says, before any hint in the detail', () => {
    const failure = classifyHttpError(http(429, '{"detail":"Your rate limit resets in ~30s."}', '7'), {
      ...create,
      nowMs: NOW,
    });
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nextRetryDelay).toBe(7000);
    expect(failure.message).toBe(
      'Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: rate limited by Replicate ' +
        '(HTTP 429): Your rate limit resets in ~30s.; retry in 7 s',
    );
  });

  it("a 429 reads an HTTP-date Retry-After against the context's clock", () => {
    const failure = classifyHttpError(http(429, '', 'Wed, 01 Jan 2025 00:00:12 GMT'), { ...create, nowMs: NOW });
    expect(failure.nextRetryDelay).toBe(12_000);
  });

  it("a 429 without Retry-After reads the delay from the problem's detail", () => {
    const failure = classifyHttpError(http(429, '{"detail":"Your rate limit resets in ~30s."}'), create);
    expect(failure.nextRetryDelay).toBe(30_000);
    expect(failure.message).toContain('retry in 30 s');
  });

  it("a 429 without Retry-After reads the delay from the problem's title too", () => {
    const failure = classifyHttpError(http(429, '{"title":"Expected available in 2 seconds"}'), create);
    expect(failure.nextRetryDelay).toBe(2000);
    expect(failure.message).toContain('retry in 2 s');
  });

  it('a 5xx is retryable, waiting as Retry-After says, and a create says the retry looks for its prediction', () => {
    const failure = classifyHttpError(http(503, '{"detail":"overloaded"}', '5'), { ...create, nowMs: NOW });
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(5000);
    expect(failure.message).toBe(
      'Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: Replicate server error ' +
        '(HTTP 503): overloaded (the retry first looks for a prediction this one made)',
    );
  });

  it('a 5xx on a poll leaves the delay to the retry policy and adds no create note', () => {
    const failure = classifyHttpError(http(500, 'boom'), get);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(failure.message).toBe(
      'Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: Replicate server error ' +
        '(HTTP 500): boom',
    );
  });

  it.each([401, 403])('a %i is an AuthenticationError telling to check the token', (status) => {
    const failure = classifyHttpError(http(status, '{"detail":"Unauthenticated"}'), create);
    expect(failure.type).toBe(FailureType.Authentication);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(
      `Replicate refused the credentials (HTTP ${status}): Unauthenticated. Check REPLICATE_API_TOKEN`,
    );
  });

  it('a 402 is a BillingError: the account is out of credit', () => {
    const failure = classifyHttpError(http(402, '{"detail":"Payment required"}'), create);
    expect(failure.type).toBe(FailureType.Billing);
    expect(failure.message).toContain('the Replicate account is out of credit (HTTP 402): Payment required');
  });

  it('a 404 on create means the model is unavailable; on a poll or a cancel, the prediction is gone', () => {
    expect(classifyHttpError(http(404, 'Not found'), create)).toMatchObject({
      type: FailureType.ModelUnavailable,
      message:
        'Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: the model is not available on ' +
        'Replicate (HTTP 404): Not found',
    });
    expect(classifyHttpError(http(404, 'Not found'), get)).toMatchObject({
      type: FailureType.Generation,
      message: expect.stringContaining('the prediction no longer exists on Replicate (HTTP 404): Not found'),
    });
    const cancel = classifyHttpError(http(404, 'Not found'), { operation: 'cancel', predictionId: 'p9' });
    expect(cancel.type).toBe(FailureType.Generation);
    expect(cancel.message).toContain('Cancelling prediction p9 on Replicate failed');
  });

  it('a 404 while listing is a refused request, not a missing model or prediction', () => {
    const failure = classifyHttpError(http(404, 'Not found'), { operation: 'list' });
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toBe(
      "Listing the account's predictions failed: Replicate rejected the request (HTTP 404): Not found",
    );
  });

  it.each([
    ['an invalid version title', { title: 'Invalid version', detail: 'x' }],
    ['a version not permitted', { title: 'Version not permitted', detail: 'x' }],
    ['a version that does not exist', { detail: 'The specified version does not exist' }],
    ['no permission to use it', { detail: "You don't have permission to use it" }],
    ['a version not found', { detail: 'version abc123 was not found' }],
  ])('a 422 naming %s is ModelUnavailable', (_name, problem) => {
    const failure = classifyHttpError(http(422, JSON.stringify(problem)), create);
    expect(failure.type).toBe(FailureType.ModelUnavailable);
    expect(failure.message).toContain('the model version is missing or not permitted (HTTP 422)');
  });

  it.each([
    ['title', '{"title":"\\u0044irector: unexpected error handling prediction"}'],
    ['detail', '{"detail":"\\u0044irector: unexpected error handling prediction"}'],
  ])("a platform failure is read from the problem's %s as JSON decodes it, not only from the raw body", (_f, body) => {
    expect(body).not.toContain('Director');
    const failure = classifyHttpError(http(422, body), get);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('Replicate failed handling the prediction (HTTP 422)');
  });

  it('a version problem under another status than 422 is a refused request, not an unavailable model', () => {
    const failure = classifyHttpError(http(400, '{"title":"Invalid version","detail":"x"}'), create);
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toContain('Replicate rejected the request (HTTP 400): Invalid version: x');
  });

  it('a 422 naming neither the version nor the platform is a refused input', () => {
    const failure = classifyHttpError(http(422, '{"title":"Invalid","detail":"prompt is required"}'), create);
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toContain('Replicate rejected the input (HTTP 422): Invalid: prompt is required');
  });

  it('a 408 is retryable: Replicate timed out reading the request', () => {
    const failure = classifyHttpError(http(408, 'slow'), create);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('Replicate timed out reading the request (HTTP 408): slow');
  });

  it('any other 4xx is a refused request', () => {
    const failure = classifyHttpError(http(409, '{"detail":"conflict"}'), create);
    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toContain('Replicate rejected the request (HTTP 409): conflict');
  });

  it('a status below 400 is unexpected, and retried', () => {
    const failure = classifyHttpError(http(302, '', null, 'Found'), create);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('unexpected HTTP 302 from Replicate: Found');
  });
});

describe('the detail of an HTTP error', () => {
  it("lists each invalid field under the problem's title, or a default title", () => {
    const fields = [{ field: 'fps', description: 'must be at most 30' }, { description: 'prompt is required' }];
    const titled = classifyHttpError(http(422, JSON.stringify({ title: 'Bad', invalid_fields: fields })), create);
    expect(titled.message).toContain('(HTTP 422): Bad: fps: must be at most 30; prompt is required');
    const untitled = classifyHttpError(http(422, JSON.stringify({ invalid_fields: fields })), create);
    expect(untitled.message).toContain('(HTTP 422): Input validation failed: fps: must be at most 30; prompt');
  });

  it('skips invalid fields that carry no description, and reads a non-array as none', () => {
    const body = {
      detail: 'd',
      invalid_fields: [null, 'text', { field: 'fps' }, { field: '', description: 'x' }, { field: 7, description: 'y' }],
    };
    expect(classifyHttpError(http(400, JSON.stringify(body)), create).message).toContain(
      '(HTTP 400): Input validation failed: x; y',
    );
    const notArray = { detail: 'plain detail', invalid_fields: 'fps' };
    expect(classifyHttpError(http(400, JSON.stringify(notArray)), create).message).toContain(
      '(HTTP 400): plain detail',
    );
  });

  it('takes a JSON array or a non-JSON body as text', () => {
    expect(classifyHttpError(http(400, '<html>Bad   Gateway</html>'), create).message).toContain(
      '(HTTP 400): <html>Bad Gateway</html>',
    );
    expect(classifyHttpError(http(400, '["a"]'), create).message).toContain('(HTTP 400): ["a"]');
  });

  it.each(['null', '42', '"quoted"', 'true'])('takes a JSON body that is not an object, %s, as text', (body) => {
    const failure = classifyHttpError(http(400, body, null, 'Bad Request'), create);
    expect(failure.message).toBe(
      `Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: Replicate rejected the request (HTTP 400): ${body}`,
    );
  });

  it('ignores title and detail that are not strings', () => {
    const body = JSON.stringify({ title: 5, detail: { nested: true } });
    expect(classifyHttpError(http(400, body, null, 'Bad Request'), create).message).toContain(
      '(HTTP 400): Bad Request',
    );
  });

  it('trims the whitespace around the detail', () => {
    expect(classifyHttpError(http(400, '  \n spaced   out \t\n'), create).message).toBe(
      'Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: Replicate rejected the request ' +
        '(HTTP 400): spaced out',
    );
  });

  it('says so when there are no details at all', () => {
    expect(classifyHttpError(http(400, ''), create).message).toContain('(HTTP 400): no details given');
  });

  it('keeps the detail on one line and cuts it at 300 characters', () => {
    const long = `${'a'.repeat(150)}\n\n${'b'.repeat(200)}`;
    const message = classifyHttpError(http(400, long), create).message;
    const detail = message.slice(message.indexOf('(HTTP 400): ') + '(HTTP 400): '.length);
    expect(detail).toBe(`${'a'.repeat(150)} ${'b'.repeat(149)}…`);
    const exactly = 'c'.repeat(300);
    expect(classifyHttpError(http(400, exactly), create).message).toMatch(/c{300}$/);
  });

  it('names a model whose ref is unknown by its id, and the account when there is no model', () => {
    const unknown = classifyHttpError(http(400, 'x'), { operation: 'create', model: 'sora' as never });
    expect(unknown.message).toMatch(/^Creating a prediction on sora \(sora\) failed/);
    expect(classifyHttpError(http(400, 'x'), { operation: 'get' }).message).toMatch(
      /^Fetching prediction unknown id on Replicate failed/,
    );
  });

  it('names the model a listing looks for', () => {
    expect(classifyHttpError(http(400, 'x'), { operation: 'list', model: 'svd' }).message).toMatch(
      /^Listing recent predictions \(looking for an earlier one on stability-ai\/stable-video-diffusion \(svd\)\) failed/,
    );
  });
});

describe("the client's ApiError, read from its message", () => {
  function apiError(message: string, response?: unknown): Error {
    return Object.assign(new Error(message), { name: 'ApiError', response });
  }

  it('yields the status, status text and body the message carries', () => {
    const info = httpErrorInfoFromApiError(
      apiError('Request to https://api.replicate.com/v1/predictions failed with status 422 Unprocessable: {"d":1}.'),
    );
    expect(info).toEqual({ status: 422, statusText: 'Unprocessable', retryAfter: null, body: '{"d":1}' });
  });

  it('prefers the response it holds for the status, status text and Retry-After', () => {
    const response = new Response(null, { status: 503, statusText: 'Busy', headers: { 'retry-after': '9' } });
    const info = httpErrorInfoFromApiError(apiError('failed with status 500 Internal: x.', response));
    expect(info).toEqual({ status: 503, statusText: 'Busy', retryAfter: '9', body: 'x' });
  });

  it('is null for an ApiError whose status cannot be read, and for anything not an ApiError', () => {
    expect(httpErrorInfoFromApiError(apiError('something else went wrong'))).toBeNull();
    expect(httpErrorInfoFromApiError('failed with status 500 x: y.')).toBeNull();
    expect(httpErrorInfoFromApiError(null)).toBeNull();
  });

  it('reads a status of several digits and a body of several lines from the message', () => {
    const info = httpErrorInfoFromApiError(
      apiError(
        'Request to https://api.replicate.com/v1/x failed with status 503 Service Unavailable: line one\nline two.',
      ),
    );
    expect(info).toEqual({
      status: 503,
      statusText: 'Service Unavailable',
      retryAfter: null,
      body: 'line one\nline two',
    });
  });

  it('has an empty body when it holds a response but its message carries none', () => {
    const response = new Response(null, { status: 500, statusText: 'Oops' });
    expect(httpErrorInfoFromApiError(apiError('boom', response))).toEqual({
      status: 500,
      statusText: 'Oops',
      retryAfter: null,
      body: '',
    });
  });

  it('classifies such an error by its status', () => {
    const failure = classifyReplicateError(apiError('Request failed with status 402 Payment Required: {}.'), create);
    expect(failure.type).toBe(FailureType.Billing);
  });
});

describe('network errors', () => {
  const withCode = (code: string) => Object.assign(new Error('low level'), { code });

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENETDOWN',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
  ])('an error with code %s, however deep in its causes, is a network error', (code) => {
    expect(isNetworkError(withCode(code))).toBe(true);
    expect(isNetworkError(new Error('outer', { cause: new Error('middle', { cause: withCode(code) }) }))).toBe(true);
  });

  it.each(['fetch failed', 'socket hang up', 'other side closed', 'terminated', 'Network is down'])(
    'the message %j is a network error',
    (message) => {
      expect(isNetworkError(new Error(message))).toBe(true);
    },
  );

  it('timeouts and aborts are network errors; other errors and codes are not', () => {
    expect(isNetworkError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(isNetworkError(Object.assign(new Error('a'), { name: 'AbortError' }))).toBe(true);
    expect(isNetworkError(new Error('bad things'))).toBe(false);
    expect(isNetworkError(withCode('EACCES'))).toBe(false);
    expect(isNetworkError(Object.assign(new Error('x'), { code: 42 }))).toBe(false);
    expect(isNetworkError(null)).toBe(false);
  });

  it('follows at most five causes, and survives a cycle', () => {
    let deep: Error = withCode('ECONNRESET');
    for (let i = 0; i < 5; i += 1) deep = new Error(`wrapper ${i}`, { cause: deep });
    expect(isNetworkError(deep)).toBe(false);
    const cyclic = new Error('a') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    expect(isNetworkError(cyclic)).toBe(false);
  });

  it('a timeout names the request timeout; without one, says "the request timeout"', () => {
    const timeout = new Error('outer', { cause: Object.assign(new Error('t'), { name: 'TimeoutError' }) });
    expect(classifyNetworkError(timeout, { ...get, timeoutMs: 2500 }).message).toBe(
      'Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: no response from Replicate ' +
        'within 2.5 s',
    );
    expect(classifyNetworkError(timeout, get).message).toContain('within the request timeout');
  });

  it('describes the chain of causes with their codes, and warns a create may have happened', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }),
    });
    const failure = classifyNetworkError(error, create);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toBe(
      'Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: network error talking to ' +
        'Replicate (fetch failed <- ECONNREFUSED: connect refused); the prediction may have been created, the ' +
        'retry looks for it first',
    );
    const coded = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyNetworkError(coded, get).message).toContain('(read ECONNRESET)');
    expect(classifyNetworkError('plain text', get).message).toContain('(plain text)');
  });

  it('calls an error it was told nothing about unknown', () => {
    for (const nothing of [null, undefined]) {
      expect(classifyNetworkError(nothing, get).message).toBe(
        'Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: network error talking to ' +
          'Replicate (unknown)',
      );
    }
  });

  it('is what classifyReplicateError makes of a network error, token redacted', () => {
    const error = new Error(`fetch failed for ${TOKEN}`);
    const failure = classifyReplicateError(error, { ...get, secrets: [TOKEN] });
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('network error talking to Replicate');
    expect(failure.message).not.toContain(TOKEN);
  });
});

describe('other errors from the client', () => {
  it('passes an ApplicationFailure through unchanged', () => {
    const original = classifyHttpError(http(402, ''), create);
    expect(classifyReplicateError(original, get)).toBe(original);
  });

  it('says JSON was unreadable for a SyntaxError, and "unexpected" for anything else, token redacted', () => {
    expect(classifyReplicateError(new SyntaxError('Unexpected token <'), get).message).toBe(
      "Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: Replicate's response was not " +
        'readable JSON (Unexpected token <)',
    );
    expect(classifyReplicateError(new TypeError('x is not a function'), get).message).toBe(
      'Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: unexpected error: x is not a function',
    );
    const odd = classifyReplicateError(`weird ${TOKEN}`, { ...get, secrets: [TOKEN] });
    expect(odd.type).toBe(FailureType.Retryable);
    expect(odd.message).toBe(
      'Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: unexpected error: weird [redacted]',
    );
  });

  it('classifies null, undefined and an object without a message as unexpected, naming them', () => {
    for (const [value, text] of [
      [null, 'null'],
      [undefined, 'undefined'],
      [{ message: 42 }, '[object Object]'],
    ] as const) {
      const failure = classifyReplicateError(value, get);
      expect(failure.type).toBe(FailureType.Retryable);
      expect(failure.message).toBe(
        `Fetching prediction p7 on stability-ai/stable-video-diffusion (svd) failed: unexpected error: ${text}`,
      );
    }
  });

  it('names an invalid webhook URL as such', () => {
    expect(classifyReplicateError(new Error('Invalid webhook URL'), create).message).toBe(
      'Creating a prediction on stability-ai/stable-video-diffusion (svd) failed: the webhook URL is not a valid URL',
    );
  });
});

describe('redactSecrets', () => {
  it('removes every given secret, skipping empty ones', () => {
    expect(redactSecrets('a s3cret b s3cret', ['', undefined, 's3cret'])).toBe('a [redacted] b [redacted]');
  });

  it('removes anything shaped like a Replicate token or a bearer credential, even unnamed', () => {
    expect(redactSecrets('token r8_abcdefgh12 and r8_short')).toBe('token [redacted] and r8_short');
    expect(redactSecrets('Authorization: bearer abc.def, next')).toBe('Authorization: Bearer [redacted], next');
  });
});

describe('retryDelayFromDetail', () => {
  it.each([
    ['Your rate limit resets in ~30s.', 30_000],
    ['resets in 12 s', 12_000],
    ['RESETS IN ~ 4S', 4000],
    ['resets in~7s', 7000],
    ['resets in 2.25s', 2250],
    ['Expected available in 1 second.', 1000],
    ['available in 2.5 sec', 2500],
    ['Expected available in 1.25 seconds', 1250],
    ['available in12sec', 12_000],
    ['AVAILABLE IN ~ 15 SECONDS', 15_000],
  ])('reads "%s" as %i ms', (detail, ms) => {
    expect(retryDelayFromDetail(detail)).toBe(ms);
  });

  it.each(['resets in 5 minutes', 'available in 3 hours', 'resets soon', 'available in ~s'])(
    'finds no delay in "%s"',
    (detail) => {
      expect(retryDelayFromDetail(detail)).toBeUndefined();
    },
  );

  it('reads fractional seconds, and caps the delay at ten minutes', () => {
    expect(retryDelayFromDetail('resets in 1.5s')).toBe(1500);
    expect(retryDelayFromDetail('Your rate limit resets in ~9999s')).toBe(600_000);
    expect(retryDelayFromDetail('Expected available in ~ 3 seconds')).toBe(3000);
  });
});
