import Replicate from 'replicate';
import { FailureType } from '../../src/domain/failures';
import {
  classifyHttpError,
  classifyPredictionError,
  classifyPredictionFailure,
  classifyReplicateError,
  httpErrorInfoFromApiError,
} from '../../src/replicate/classify-error';
import { parseRetryAfter } from '../../src/http/client';
import { retryDelayFromDetail } from '../../src/replicate/classify-error';
import { TOKEN, visibleText } from './failure-helpers';
import { startScriptedServer } from './scripted-server';

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds and HTTP-dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    // delay-seconds is 1*DIGIT (RFC 9110 §10.2.3): a fraction says nothing (test/http/retry-after.test.ts).
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("reads the delay from Replicate's throttling detail", () => {
    expect(retryDelayFromDetail('Request was throttled. Your rate limit resets in ~30s.')).toBe(30_000);
    expect(retryDelayFromDetail('Request was throttled. Expected available in 1 second.')).toBe(1000);
    expect(retryDelayFromDetail('Too many requests')).toBeUndefined();
  });

  it('uses the detail, then a 10 s default, when a 429 has no Retry-After', () => {
    const context = { operation: 'create' as const, model: 'svd' as const };
    const fromDetail = classifyHttpError(
      { status: 429, retryAfter: null, body: '{"detail":"Request was throttled. Your rate limit resets in ~30s."}' },
      context,
    );
    const fallback = classifyHttpError(
      { status: 429, retryAfter: null, body: '{"detail":"Too many requests"}' },
      context,
    );

    expect(fromDetail.nextRetryDelay).toBe(30_000);
    expect(fallback.nextRetryDelay).toBe(10_000);
    expect(fallback.type).toBe(FailureType.Retryable);
  });
});

describe("the client's ApiError", () => {
  it('yields status, Retry-After and body from a real ApiError, and classifies it', async () => {
    const server = await startScriptedServer(() => ({
      status: 400,
      headers: { 'retry-after': '4' },
      json: { status: 400, detail: 'Invalid input' },
    }));
    try {
      const client = new Replicate({ auth: TOKEN, baseUrl: server.baseUrl });
      const error = await client.predictions.create({ version: 'v', input: {} }).catch((e: unknown) => e);

      expect(httpErrorInfoFromApiError(error)).toMatchObject({
        status: 400,
        retryAfter: '4',
        body: '{"status":400,"detail":"Invalid input"}',
      });
      const failure = classifyReplicateError(error, { operation: 'create', model: 'svd', secrets: [TOKEN] });
      expect(failure.type).toBe(FailureType.InvalidInput);
      expect(failure.message).toContain('Invalid input');
      expect(visibleText(failure)).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });

  it('is not mistaken for other errors', () => {
    expect(httpErrorInfoFromApiError(new Error('Request to x failed with status 500 : y.'))).toBeNull();
  });
});

describe('redaction', () => {
  it('removes the token and any bearer credential from messages', () => {
    const failure = classifyHttpError(
      { status: 500, retryAfter: null, body: `{"detail":"bad header Bearer ${TOKEN} / Bearer other-secret"}` },
      { operation: 'get', model: 'svd', predictionId: 'p1', secrets: [TOKEN] },
    );

    expect(failure.message).not.toContain(TOKEN);
    expect(failure.message).not.toContain('other-secret');
    expect(failure.message).toContain('Bearer [redacted]');
  });
});

describe('other client errors', () => {
  it('an invalid webhook URL is InvalidInput, unreadable JSON and unknown errors are retryable', () => {
    const context = { operation: 'create' as const, model: 'kling-v2.1' as const };
    expect(classifyReplicateError(new Error('Invalid webhook URL'), context).type).toBe(FailureType.InvalidInput);
    expect(classifyReplicateError(new SyntaxError('Unexpected token <'), context).type).toBe(FailureType.Retryable);
    const reset = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    });
    const failure = classifyReplicateError(reset, context);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('ECONNRESET');
    expect(failure.message).toContain('kwaivgi/kling-v2.1');
  });
});

describe("Replicate's platform failure in an HTTP error body", () => {
  const director = 'Director: unexpected error handling prediction (E8765)';

  it.each([
    ['a JSON problem detail', JSON.stringify({ detail: director, status: 422 })],
    ['a JSON problem title', JSON.stringify({ title: director, detail: 'try again', status: 422 })],
    ['plain text', director],
  ])('is retryable on a poll answered 422 with it in %s, never InvalidInput', (_name, body) => {
    const failure = classifyHttpError(
      { status: 422, retryAfter: null, body },
      { operation: 'get', model: 'svd', predictionId: 'p1' },
    );
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('E8765');
    expect(failure.message).toContain('prediction p1');
  });

  it('is retryable on any 4xx and operation, while a plain 422 stays InvalidInput', () => {
    const body = JSON.stringify({ detail: director });
    for (const status of [400, 404, 409, 422]) {
      for (const operation of ['create', 'get', 'cancel'] as const) {
        expect(classifyHttpError({ status, retryAfter: null, body }, { operation }).type).toBe(FailureType.Retryable);
      }
    }
    const refused = JSON.stringify({ detail: 'Input validation failed', status: 422 });
    expect(classifyHttpError({ status: 422, retryAfter: null, body: refused }, { operation: 'get' }).type).toBe(
      FailureType.InvalidInput,
    );
  });
});

describe('failed predictions', () => {
  it.each([
    ['Prediction interrupted; please retry (code: PA)', FailureType.Retryable],
    ['Director: unexpected error handling prediction (E8765)', FailureType.Retryable],
    ['Director: unexpected error handling prediction (E6716)', FailureType.Retryable],
    ['Director: unexpected error handling prediction (E9828)', FailureType.Retryable],
    ['Director: unexpected error handling prediction (E9243)', FailureType.Retryable],
    ['director: Unexpected error handling prediction', FailureType.Retryable],
    ['The input or output was flagged as sensitive. (E005)', FailureType.Generation],
    ['Director: unexpected error handling prediction (E005: flagged as sensitive)', FailureType.Generation],
    ['Model version is disabled', FailureType.ModelUnavailable],
    ['This model is currently unavailable', FailureType.ModelUnavailable],
    ['The specified version does not exist', FailureType.ModelUnavailable],
    ['CUDA out of memory', FailureType.Generation],
    ['', FailureType.Generation],
  ])('%j is %s', (error, type) => {
    expect(classifyPredictionError(error)).toBe(type);
  });

  it('builds a readable failure naming the prediction and model', () => {
    const failure = classifyPredictionFailure('The input or output was flagged as sensitive. (E005)', {
      predictionId: 'p42',
      model: 'hailuo-02',
    });

    expect(failure.type).toBe(FailureType.Generation);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'Prediction p42 on hailuo-02 failed: The input or output was flagged as sensitive. (E005)',
    );
    expect(classifyPredictionFailure('interrupted (code: PA)').nonRetryable).toBe(false);
  });
});
