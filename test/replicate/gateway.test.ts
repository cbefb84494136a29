import { FailureType } from '../../src/domain/failures';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { seedOfToken } from '../../src/replicate/idempotency';
import { TOKEN, failureOf, visibleText } from './failure-helpers';
import { predictionJson, startScriptedServer, type ScriptedServer } from './scripted-server';

const SVD_VERSION = '3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438';
const svdRequest = {
  model: 'svd' as const,
  input: { input_image: 'https://example.com/first.png', frames_per_second: 6 },
  idempotencyToken: 'run-1-primary-0',
  cancelAfterSeconds: 150,
};

let server: ScriptedServer;

beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

function gateway(overrides: { requestTimeoutMs?: number } = {}) {
  return createReplicateGateway({ apiToken: TOKEN, baseUrl: server.baseUrl, ...overrides });
}

describe('creating a prediction', () => {
  it('creates a community model by version, with Cancel-After, and returns a snapshot', async () => {
    server.respond(() => ({ status: 201, json: predictionJson({ id: 'abc123', input: svdRequest.input }) }));

    const snapshot = await gateway().createPrediction(svdRequest, undefined, { lookupExisting: false });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(`${request.method} ${request.path}`).toBe('POST /v1/predictions');
    // No seed in the plan: the create's own, from its token (idempotency.ts).
    const seed = seedOfToken(svdRequest.idempotencyToken);
    expect(JSON.parse(request.body)).toEqual({ version: SVD_VERSION, input: { ...svdRequest.input, seed } });
    expect(request.headers['cancel-after']).toBe('150s');
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['user-agent']).toContain('clipgen');
    expect(snapshot).toMatchObject({ id: 'abc123', model: 'svd', status: 'starting', outputUrl: null });
  });

  it('creates an official model through the model route, without a version', async () => {
    server.respond(() => ({ status: 201, json: predictionJson({ id: 'kling1', model: 'kwaivgi/kling-v2.1' }) }));

    await gateway().createPrediction(
      { model: 'kling-v2.1', input: { prompt: 'a fox', duration: 5 }, idempotencyToken: 't' },
      undefined,
      { lookupExisting: false },
    );

    const [request] = server.requests;
    expect(`${request.method} ${request.path}`).toBe('POST /v1/models/kwaivgi/kling-v2.1/predictions');
    expect(JSON.parse(request.body)).toEqual({ input: { prompt: 'a fox', duration: 5 } });
    expect(request.headers['cancel-after']).toBeUndefined();
  });

  it('carries the idempotency token in the webhook query, keeping the query it had', async () => {
    server.respond(() => ({ status: 201, json: predictionJson() }));

    await gateway().createPrediction(
      { ...svdRequest, webhook: { url: 'https://hooks.example.com/replicate?clip=3', events: ['completed'] } },
      undefined,
      { lookupExisting: false },
    );

    const body = JSON.parse(server.requests[0].body);
    const webhook = new URL(body.webhook);
    expect(webhook.origin + webhook.pathname).toBe('https://hooks.example.com/replicate');
    expect(webhook.searchParams.get('clip')).toBe('3');
    expect(webhook.searchParams.get('clipgen_token')).toBe('run-1-primary-0');
    expect(body.webhook_events_filter).toEqual(['completed']);
  });
});

describe('exactly one HTTP attempt per call', () => {
  it('does not re-POST a create whose connection was reset', async () => {
    server.respond(() => ({ reset: true }));

    const failure = await failureOf(gateway().createPrediction(svdRequest, undefined, { lookupExisting: false }));

    expect(server.requests).toHaveLength(1);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('stability-ai/stable-video-diffusion');
    expect(failure.message).toMatch(/network error/);
  });

  it('does not re-POST a create answered 429, and waits as long as Retry-After says', async () => {
    server.respond(() => ({
      status: 429,
      headers: { 'retry-after': '7' },
      json: { detail: 'Request was throttled.' },
    }));

    const failure = await failureOf(gateway().createPrediction(svdRequest, undefined, { lookupExisting: false }));

    expect(server.requests).toHaveLength(1);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('does not re-POST a create answered 500', async () => {
    server.respond(() => ({ status: 500, json: { detail: 'Internal server error' } }));

    const failure = await failureOf(gateway().createPrediction(svdRequest, undefined, { lookupExisting: false }));

    expect(server.requests).toHaveLength(1);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('HTTP 500');
  });

  it.each([
    [429, { 'retry-after': '3' }, 3000],
    [503, {}, undefined],
  ])('does not re-GET a prediction answered %i', async (status, headers, delay) => {
    server.respond(() => ({ status, headers, json: { detail: 'busy' } }));

    const failure = await failureOf(gateway().getPrediction('svd', 'abc123'));

    expect(server.requests).toHaveLength(1);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nextRetryDelay).toBe(delay);
  });

  it('gives up on a request that gets no answer within the timeout, after one attempt', async () => {
    server.respond(() => ({ hang: true }));
    const started = Date.now();

    const failure = await failureOf(gateway({ requestTimeoutMs: 200 }).getPrediction('svd', 'abc123'));

    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('no response from Replicate within 0.2 s');
  });

  it("stops at once when the caller aborts, with the caller's reason", async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    // Aborted once the request has arrived (a timer raced it on a busy machine and sometimes aborted before it left).
    server.respond(() => {
      controller.abort(reason);
      return { hang: true };
    });

    await expect(gateway().getPrediction('svd', 'abc123', controller.signal)).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });
});

describe('error classification over HTTP', () => {
  const echoAuthorization = (status: number, body: Record<string, unknown>) => () =>
    server.respond((request) => ({
      status,
      // A server that echoes the credential must not make us print it.
      json: { ...body, detail: `${String(body.detail ?? '')} (sent: ${request.headers.authorization})` },
    }));

  it.each([
    [
      401,
      { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token' },
      FailureType.Authentication,
    ],
    [403, { detail: 'Forbidden' }, FailureType.Authentication],
    [
      402,
      { title: 'Insufficient credit', detail: 'You have insufficient credit to run this model.' },
      FailureType.Billing,
    ],
    [404, { detail: 'The requested resource could not be found.' }, FailureType.ModelUnavailable],
    [
      422,
      {
        title: 'Invalid version or not permitted',
        detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
      },
      FailureType.ModelUnavailable,
    ],
    [400, { detail: 'Invalid input' }, FailureType.InvalidInput],
  ])('a create answered %i fails as %s, without retry and without the token', async (status, body, type) => {
    echoAuthorization(status, body)();

    const failure = await failureOf(gateway().createPrediction(svdRequest, undefined, { lookupExisting: false }));

    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`HTTP ${status}`);
    expect(failure.message).toContain(String(body.detail).slice(0, 20));
    expect(visibleText(failure)).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(1);
  });

  it('an input validation 422 fails as InvalidInput naming each invalid field', async () => {
    server.respond(() => ({
      status: 422,
      json: {
        title: 'Input validation failed',
        status: 422,
        detail: '- input.seed: Invalid type. Expected: integer, given: null\n',
        invalid_fields: [
          { type: 'invalid_type', field: 'input.seed', description: 'Invalid type. Expected: integer, given: null' },
          {
            type: 'enum',
            field: 'input.video_length',
            description: 'must be one of the following: "14_frames_with_svd"',
          },
        ],
      },
    }));

    const failure = await failureOf(gateway().createPrediction(svdRequest, undefined, { lookupExisting: false }));

    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.message).toContain('input.seed: Invalid type. Expected: integer, given: null');
    expect(failure.message).toContain('input.video_length: must be one of the following');
  });

  it('a get answered 404 fails as GenerationError: the prediction is gone', async () => {
    server.respond(() => ({ status: 404, json: { detail: 'Not found.' } }));

    const failure = await failureOf(gateway().getPrediction('svd', 'gone1'));

    expect(failure.type).toBe(FailureType.Generation);
    expect(failure.message).toContain('gone1');
    expect(failure.message).toContain('no longer exists');
  });

  it('a network failure message never carries the token', async () => {
    await server.close();
    const failure = await failureOf(gateway().getPrediction('svd', 'abc123'));
    server = await startScriptedServer();

    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toMatch(/ECONNREFUSED/);
    expect(visibleText(failure)).not.toContain(TOKEN);
  });
});

describe('reading predictions', () => {
  it('maps a succeeded prediction to a snapshot', async () => {
    server.respond(() => ({
      status: 200,
      json: predictionJson({
        id: 'done1',
        status: 'succeeded',
        output: ['http://cdn.example.com/out-0.mp4', 'http://cdn.example.com/out-1.mp4'],
        metrics: { predict_time: 42.5, video_output_duration_seconds: 5 },
        started_at: '2024-01-01T00:00:01Z',
        completed_at: '2024-01-01T00:00:44Z',
      }),
    }));

    const snapshot = await gateway().getPrediction('svd', 'done1');

    expect(server.requests[0].path).toBe('/v1/predictions/done1');
    expect(snapshot).toMatchObject({
      id: 'done1',
      model: 'svd',
      status: 'succeeded',
      outputUrl: 'http://cdn.example.com/out-0.mp4',
      predictTime: 42.5,
      videoOutputDurationSeconds: 5,
      completedAt: '2024-01-01T00:00:44Z',
      dataRemoved: false,
    });
  });

  it('returns a failed prediction rather than throwing', async () => {
    server.respond(() => ({
      status: 200,
      json: predictionJson({ id: 'f1', status: 'failed', error: 'Prediction interrupted; please retry (code: PA)' }),
    }));

    const snapshot = await gateway().getPrediction('svd', 'f1');

    expect(snapshot).toMatchObject({ status: 'failed', error: 'Prediction interrupted; please retry (code: PA)' });
  });

  it('refuses an id that would address another route, without a request', async () => {
    const failure = await failureOf(gateway().getPrediction('svd', '../models/x'));

    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(server.requests).toHaveLength(0);
  });
});

describe('cancelling', () => {
  it('cancels a running prediction', async () => {
    server.respond(() => ({ status: 200, json: predictionJson({ id: 'run1', status: 'canceled' }) }));

    const snapshot = await gateway().cancelPrediction('svd', 'run1');

    expect(`${server.requests[0].method} ${server.requests[0].path}`).toBe('POST /v1/predictions/run1/cancel');
    expect(snapshot.status).toBe('canceled');
  });

  it('returns a prediction that had already finished as it is', async () => {
    server.respond(() => ({
      status: 200,
      json: predictionJson({ id: 'ok1', status: 'succeeded', output: 'http://x/o.mp4' }),
    }));

    const snapshot = await gateway().cancelPrediction('svd', 'ok1');

    expect(snapshot).toMatchObject({ status: 'succeeded', outputUrl: 'http://x/o.mp4' });
  });

  it('accepts a server that refuses to cancel a finished prediction, by reading it', async () => {
    server.respond((request) =>
      request.method === 'POST'
        ? { status: 409, json: { detail: 'Prediction is already complete' } }
        : { status: 200, json: predictionJson({ id: 'ok2', status: 'failed', error: 'boom' }) },
    );

    const snapshot = await gateway().cancelPrediction('svd', 'ok2');

    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(snapshot).toMatchObject({ id: 'ok2', status: 'failed' });
  });

  it('resolves quietly when the prediction no longer exists', async () => {
    server.respond(() => ({ status: 404, json: { detail: 'Not found.' } }));

    const snapshot = await gateway().cancelPrediction('svd', 'gone2');

    expect(snapshot).toMatchObject({ id: 'gone2', model: 'svd', status: 'canceled', dataRemoved: true });
    expect(snapshot.error).toContain('no longer exists');
  });

  it('still fails on a server error, once', async () => {
    server.respond(() => ({ status: 502, text: '<html>Bad gateway</html>' }));

    const failure = await failureOf(gateway().cancelPrediction('svd', 'run2'));

    expect(server.requests).toHaveLength(1);
    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toContain('Bad gateway');
  });
});
