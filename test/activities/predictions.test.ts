import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createRequestSentOf } from '../../src/domain/create-request';
import { predictionActivities, type PredictionRef } from '../../src/activities/predictions';
import { FailureType } from '../../src/domain/failures';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { seedOfToken } from '../../src/replicate/idempotency';
import { TOKEN, failureOf, visibleText } from '../replicate/failure-helpers';
import { predictionJson, startScriptedServer, type ScriptedServer } from '../replicate/scripted-server';

const input = { prompt: 'a red fox in the snow', duration: 5 };
const createInput = {
  model: 'kling-v2.1' as const,
  input,
  idempotencyToken: 'wf-1-primary-0',
  cancelAfterSeconds: 150,
};

/** An SVD create without a seed: clipgen sends the token's, so its input identifies its prediction. */
const svdInput = { input_image: 'https://example.com/first.png', frames_per_second: 6 };
const svdCreate = {
  model: 'svd' as const,
  input: svdInput,
  idempotencyToken: 'wf-1-primary-0',
  cancelAfterSeconds: 150,
};
const svdSent = { ...svdInput, seed: seedOfToken(svdCreate.idempotencyToken) };

let server: ScriptedServer;
let activities: ReturnType<typeof predictionActivities>;

beforeEach(async () => {
  server = await startScriptedServer();
  activities = predictionActivities({
    replicate: createReplicateGateway({ apiToken: TOKEN, baseUrl: server.baseUrl }),
  });
});
afterEach(async () => {
  await server.close();
});

/** Failures are the point of these tests: keep the SDK from logging each one as a warning. */
const mockEnv = (info: { attempt?: number; heartbeatDetails?: unknown } = {}) =>
  new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });

/** env.run with the activity's own return type (the SDK's signature returns unknown). */
function run<A extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  return env.run(fn, ...args) as Promise<R>;
}

const poll: PredictionRef = { model: 'svd', id: 'p1' };

const posts = () => server.requests.filter((r) => r.method === 'POST');
const lists = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/v1/predictions');

describe('createPrediction', () => {
  beforeEach(() => {
    server.respond((req) =>
      req.method === 'POST'
        ? { status: 201, json: predictionJson({ id: 'created', input: svdSent }) }
        : { status: 200, json: { next: null, results: [predictionJson({ id: 'earlier', input: svdSent })] } },
    );
  });

  it('creates straight away on the first attempt', async () => {
    const snapshot = await run(mockEnv({ attempt: 1 }), activities.createPrediction, svdCreate);

    expect(snapshot).toMatchObject({ id: 'created', model: 'svd', status: 'starting' });
    expect(lists()).toHaveLength(0);
    expect(posts()).toHaveLength(1);
    expect(posts()[0].headers['cancel-after']).toBe('150s');
  });

  it('adopts the prediction an earlier attempt made on a retry, creating nothing', async () => {
    const snapshot = await run(mockEnv({ attempt: 2 }), activities.createPrediction, svdCreate);

    expect(snapshot.id).toBe('earlier');
    expect(lists()).toHaveLength(1);
    expect(posts()).toHaveLength(0);
  });

  it('never adopts an identical input it cannot tell from another clip’s (a model without a seed)', async () => {
    server.respond((req) =>
      req.method === 'POST'
        ? { status: 201, json: predictionJson({ id: 'created', model: 'kwaivgi/kling-v2.1', input }) }
        : {
            status: 200,
            json: { next: null, results: [predictionJson({ id: 'identical', model: 'kwaivgi/kling-v2.1', input })] },
          },
    );

    const snapshot = await run(mockEnv({ attempt: 2 }), activities.createPrediction, createInput);

    expect(snapshot).toMatchObject({ id: 'created', adopted: false, strayWatch: expect.any(Object) });
    expect(posts()).toHaveLength(1);
  });
});

describe('what a retried create tells the workflow about strays', () => {
  const answerLists = (results: unknown[]) =>
    server.respond((req) =>
      req.method === 'POST'
        ? { status: 201, json: predictionJson({ id: 'created', input: svdSent }) }
        : { status: 200, json: { next: null, results } },
    );
  const earlier = predictionJson({ id: 'earlier', input: svdSent });

  it('a first attempt cannot have left one', async () => {
    answerLists([]);
    const created = await run(mockEnv({ attempt: 1 }), activities.createPrediction, svdCreate);
    expect(created).toMatchObject({ adopted: false, strayWatch: null });
  });

  it('after an unanswered attempt, a new prediction comes with a window to sweep', async () => {
    answerLists([]);
    const before = Date.now();
    const created = await run(mockEnv({ attempt: 2 }), activities.createPrediction, svdCreate);

    expect(created.adopted).toBe(false);
    // Two default request timeouts (30 s each) after this attempt.
    expect(created.strayWatch?.untilMs).toBeGreaterThanOrEqual(before + 60_000);
    expect(created.strayWatch?.untilMs).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(created.strayWatch?.createdAfterMs).toBeLessThan(before);
  });

  it('adopting the unanswered attempt’s prediction accounts for it; a second unanswered one still needs a sweep', async () => {
    answerLists([earlier]);
    const once = await run(mockEnv({ attempt: 2 }), activities.createPrediction, svdCreate);
    const twice = await run(mockEnv({ attempt: 3 }), activities.createPrediction, svdCreate);

    expect(once).toMatchObject({ id: 'earlier', adopted: true, strayWatch: null });
    expect(twice).toMatchObject({ id: 'earlier', adopted: true, strayWatch: expect.any(Object) });
  });

  it('earlier attempts the API answered are settled: no sweep', async () => {
    answerLists([]);
    const created = await run(
      mockEnv({ attempt: 3, heartbeatDetails: { settled: 2 } }),
      activities.createPrediction,
      createInput,
    );
    expect(created).toMatchObject({ id: 'created', strayWatch: null });
  });

  it.each([
    ['a 500', { status: 500, json: { detail: 'Internal server error' } }, [{ settled: 1, unsent: 0 }]],
    ['a 429', { status: 429, json: { detail: 'throttled' } }, [{ settled: 1, unsent: 0 }]],
    ['a connection reset', { reset: true as const }, []],
  ])('a create that fails with %s records whether it was answered', async (_case, reply, heartbeats) => {
    server.respond(() => reply);
    const env = mockEnv({ attempt: 1 });
    const recorded: unknown[] = [];
    env.on('heartbeat', (details: unknown) => recorded.push(details));

    await failureOf(run(env, activities.createPrediction, createInput));

    expect(recorded).toEqual(heartbeats);
  });

  it('a failed lookup sent no create: settled too', async () => {
    server.respond(() => ({ status: 503, json: { detail: 'unavailable' } }));
    const env = mockEnv({ attempt: 2, heartbeatDetails: { settled: 0 } });
    const recorded: unknown[] = [];
    env.on('heartbeat', (details: unknown) => recorded.push(details));

    await failureOf(run(env, activities.createPrediction, createInput));

    expect(posts()).toHaveLength(0);
    expect(recorded).toEqual([{ settled: 1, unsent: 1 }]);
  });
});

/**
 * A failed create tells the workflow whether any of its attempts sent a create request: if none did, no prediction
 * can exist and there is nothing to sweep for.
 */
describe('whether a failed create sent a request', () => {
  const withFirstFrame = (url: string) => ({ ...createInput, input: { ...input, start_image: url } });
  const checkingActivities = () =>
    predictionActivities({
      replicate: createReplicateGateway({ apiToken: TOKEN, baseUrl: server.baseUrl }),
      download: DEFAULT_DOWNLOAD_POLICY,
    });
  const heartbeatsOf = (env: MockActivityEnvironment) => {
    const recorded: unknown[] = [];
    env.on('heartbeat', (details: unknown) => recorded.push(details));
    return recorded;
  };

  afterEach(() => jest.restoreAllMocks());

  it('a first frame whose host does not exist (NXDOMAIN) is InvalidInput at once, and nothing is sent', async () => {
    // RFC 6761: names under .invalid never resolve.
    const host = 'frames.clipgen-test.invalid';
    const env = mockEnv({ attempt: 1 });
    const heartbeats = heartbeatsOf(env);

    const failure = await failureOf(
      run(env, checkingActivities().createPrediction, withFirstFrame(`https://${host}/first.png`)),
    );

    expect(failure.type).toBe(FailureType.InvalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^clip\.imageUrl/);
    expect(failure.message).toContain(host);
    expect(server.requests).toHaveLength(0);
    expect(createRequestSentOf(failure)).toBe(false);
    expect(heartbeats).toEqual([{ settled: 1, unsent: 1 }]);
  });

  it('a temporary DNS failure (EAI_AGAIN) of the first frame is retried, and sent nothing', async () => {
    const temporaryFailure = Object.assign(new Error('getaddrinfo EAI_AGAIN frames.example.com'), {
      code: 'EAI_AGAIN',
    });
    jest.spyOn(dns, 'lookup').mockImplementation(((...args: unknown[]) => {
      const callback = args.at(-1) as (error: NodeJS.ErrnoException) => void;
      callback(temporaryFailure);
    }) as typeof dns.lookup);
    const env = mockEnv({ attempt: 1 });
    const heartbeats = heartbeatsOf(env);

    const failure = await failureOf(
      run(env, checkingActivities().createPrediction, withFirstFrame('https://frames.example.com/first.png')),
    );

    expect(failure.type).toBe(FailureType.Retryable);
    expect(server.requests).toHaveLength(0);
    expect(createRequestSentOf(failure)).toBe(false);
    expect(heartbeats).toEqual([{ settled: 1, unsent: 1 }]);
  });

  it.each([
    ['answered 500', { status: 500, json: { detail: 'Internal server error' } }],
    ['whose connection was reset', { reset: true as const }],
  ])('a create %s was sent', async (_case, reply) => {
    server.respond(() => reply);

    const failure = await failureOf(run(mockEnv({ attempt: 1 }), activities.createPrediction, createInput));

    expect(posts()).toHaveLength(1);
    expect(createRequestSentOf(failure)).toBe(true);
  });

  it('counts the earlier attempts: none sent, or one that left no record (it may have sent)', async () => {
    server.respond(() => ({ status: 503, json: { detail: 'unavailable' } }));

    const afterUnsent = await failureOf(
      run(
        mockEnv({ attempt: 2, heartbeatDetails: { settled: 1, unsent: 1 } }),
        activities.createPrediction,
        createInput,
      ),
    );
    const afterUnrecorded = await failureOf(
      run(
        mockEnv({ attempt: 2, heartbeatDetails: { settled: 0, unsent: 0 } }),
        activities.createPrediction,
        createInput,
      ),
    );
    // Details written before this field existed: their settled attempts may have been sent.
    const afterOlderRecord = await failureOf(
      run(mockEnv({ attempt: 2, heartbeatDetails: { settled: 1 } }), activities.createPrediction, createInput),
    );

    expect(posts()).toHaveLength(0);
    expect(createRequestSentOf(afterUnsent)).toBe(false);
    expect(createRequestSentOf(afterUnrecorded)).toBe(true);
    expect(createRequestSentOf(afterOlderRecord)).toBe(true);
  });

  it('attempts that sent nothing are settled: a later success needs no sweep', async () => {
    server.respond((req) =>
      req.method === 'POST'
        ? { status: 201, json: predictionJson({ id: 'created', model: 'kwaivgi/kling-v2.1', input }) }
        : { status: 200, json: { next: null, results: [] } },
    );
    const created = await run(
      mockEnv({ attempt: 3, heartbeatDetails: { settled: 2, unsent: 2 } }),
      activities.createPrediction,
      createInput,
    );
    expect(created).toMatchObject({ id: 'created', strayWatch: null });
  });
});

/** First frames as an image host serves them: images by their magic numbers, and what is not one. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 1)]);
const IMAGES: Record<string, Buffer> = {
  '/frame.png': PNG,
  '/frame.jpg': Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 2)]),
  '/frame.webp': Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(200)]),
  '/frame.gif': Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(200, 3)]),
};

describe('the first frame is fetched and checked before the create', () => {
  let images: Server;
  let imageOrigin: string;
  let imageRequests: string[];

  beforeAll(async () => {
    images = createServer((req, res) => {
      imageRequests.push(req.url ?? '');
      const image = IMAGES[req.url ?? ''];
      if (image) {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
        res.end(image);
      } else if (req.url === '/page.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><body>Sign in to see this image</body></html>');
      } else if (req.url === '/empty.png') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 0 });
        res.end();
      } else if (req.url === '/huge.png' || req.url === '/huge-chunked.png') {
        const body = Buffer.concat([PNG, Buffer.alloc(4096)]);
        res.writeHead(200, req.url === '/huge.png' ? { 'content-length': body.length } : {});
        res.end(body);
      } else if (req.url === '/forbidden.png') {
        res.writeHead(403);
        res.end('Forbidden');
      } else if (req.url === '/busy.png') {
        res.writeHead(503, { 'retry-after': '3' });
        res.end();
      } else if (req.url === '/stalls.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(PNG.subarray(0, 4));
      } else {
        res.writeHead(404);
        res.end('Not found');
      }
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageOrigin = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    images.closeAllConnections();
    await new Promise((resolve) => images.close(resolve));
  });
  beforeEach(() => {
    imageRequests = [];
    server.respond(() => ({
      status: 201,
      json: predictionJson({ id: 'created', model: 'kwaivgi/kling-v2.1', input }),
    }));
  });

  const checking = () =>
    predictionActivities({
      replicate: createReplicateGateway({ apiToken: TOKEN, baseUrl: server.baseUrl }),
      // The image host is on 127.0.0.1; the short idle timeout keeps the stalled case quick.
      download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true, idleTimeoutMs: 300 },
      firstFrameMaxBytes: 1024,
    });
  const withFrame = (path: string) => ({ ...createInput, input: { ...input, start_image: `${imageOrigin}${path}` } });

  it.each(Object.keys(IMAGES))('an image (%s) passes, and the create is sent', async (path) => {
    const created = await run(mockEnv({ attempt: 1 }), checking().createPrediction, withFrame(path));

    expect(created.id).toBe('created');
    expect(imageRequests).toEqual([path]);
    expect(posts()).toHaveLength(1);
  });

  it.each([
    [
      'missing (404)',
      '/missing.png',
      /^clip\.imageUrl \(model input start_image\): there is no image at http:\/\/127\.0\.0\.1:\d+\/missing\.png \(HTTP 404\)$/,
    ],
    [
      'not an image (a web page)',
      '/page.html',
      /^clip\.imageUrl \(model input start_image\): http:\/\/.+\/page\.html is not an image: its bytes are not a PNG, JPEG, WebP or GIF image \(served as text\/html\)$/,
    ],
    ['empty', '/empty.png', /: http:\/\/.+\/empty\.png is not an image: it is empty$/],
    [
      'over the size cap (Content-Length)',
      '/huge.png',
      /^clip\.imageUrl \(model input start_image\): the image at http:\/\/.+\/huge\.png is larger than 1 KiB \(1024 bytes\)/,
    ],
    [
      'over the size cap (no Content-Length)',
      '/huge-chunked.png',
      /: the image at http:\/\/.+\/huge-chunked\.png is larger than 1 KiB/,
    ],
    [
      'refused (403)',
      '/forbidden.png',
      /^clip\.imageUrl \(model input start_image\): fetching http:\/\/.+\/forbidden\.png was refused with HTTP 403$/,
    ],
  ])('a first frame that is %s fails InvalidInput naming it, before any create', async (_case, path, message) => {
    const env = mockEnv({ attempt: 1 });

    const failure = await failureOf(run(env, checking().createPrediction, withFrame(path)));

    expect([failure.type, failure.nonRetryable]).toEqual([FailureType.InvalidInput, true]);
    expect(failure.message).toMatch(message);
    expect(server.requests).toHaveLength(0);
    expect(createRequestSentOf(failure)).toBe(false);
  });

  it.each([
    ['answers 503', '/busy.png', 3000],
    ['stalls', '/stalls.png', undefined],
  ])('an image host that %s is retried, and nothing is sent', async (_case, path, nextRetryDelay) => {
    const failure = await failureOf(run(mockEnv({ attempt: 1 }), checking().createPrediction, withFrame(path)));

    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.message).toMatch(/^clip\.imageUrl \(model input start_image\): /);
    expect(failure.nextRetryDelay).toBe(nextRetryDelay);
    expect(server.requests).toHaveLength(0);
    expect(createRequestSentOf(failure)).toBe(false);
  });

  it('is not fetched again by a retry after an attempt that may have sent its create (it checked the image)', async () => {
    server.respond((req) =>
      req.method === 'POST'
        ? { status: 201, json: predictionJson({ id: 'created', model: 'kwaivgi/kling-v2.1', input }) }
        : { status: 200, json: { next: null, results: [] } },
    );
    const retry = mockEnv({ attempt: 2, heartbeatDetails: { settled: 1, unsent: 0 } });

    const created = await run(retry, checking().createPrediction, withFrame('/missing.png'));

    expect(created.id).toBe('created');
    expect(imageRequests).toEqual([]);
  });
});

describe('failures reach Temporal typed, with retry advice', () => {
  it.each([
    [
      'a 429 with Retry-After: 7',
      { status: 429, headers: { 'retry-after': '7' }, json: { detail: 'throttled' } },
      FailureType.Retryable,
      7000,
    ],
    ['a 500', { status: 500, json: { detail: 'Internal server error' } }, FailureType.Retryable, undefined],
    ['a connection reset', { reset: true as const }, FailureType.Retryable, undefined],
    [
      'a 401',
      { status: 401, json: { title: 'Unauthenticated', detail: 'no token' } },
      FailureType.Authentication,
      undefined,
    ],
    [
      'a 402',
      { status: 402, json: { title: 'Insufficient credit', detail: 'buy credit' } },
      FailureType.Billing,
      undefined,
    ],
    [
      'a 404 on the model route',
      { status: 404, json: { detail: 'Not found.' } },
      FailureType.ModelUnavailable,
      undefined,
    ],
    [
      'a 422 on the input',
      {
        status: 422,
        json: {
          title: 'Input validation failed',
          invalid_fields: [{ field: 'input.duration', description: 'must be 5 or 10' }],
        },
      },
      FailureType.InvalidInput,
      undefined,
    ],
  ])('%s', async (_case, reply, type, nextRetryDelay) => {
    server.respond(() => reply);

    const failure = await failureOf(run(mockEnv({ attempt: 1 }), activities.createPrediction, createInput));

    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(type !== FailureType.Retryable);
    expect(failure.nextRetryDelay).toBe(nextRetryDelay);
    expect(failure.message).toContain('kwaivgi/kling-v2.1');
    expect(visibleText(failure)).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(1);
  });
});

describe('getPrediction and cancelPrediction', () => {
  it('returns a failed prediction for the workflow to judge', async () => {
    server.respond(() => ({
      status: 200,
      json: predictionJson({
        id: 'p1',
        status: 'failed',
        error: 'The input or output was flagged as sensitive. (E005)',
      }),
    }));

    const snapshot = await run(mockEnv(), activities.getPrediction, poll);

    expect(snapshot).toMatchObject({ id: 'p1', model: 'svd', status: 'failed' });
  });

  it('a poll answered 503 is retryable', async () => {
    server.respond(() => ({ status: 503, json: { detail: 'unavailable' } }));

    const failure = await failureOf(run(mockEnv(), activities.getPrediction, poll));

    expect(failure.type).toBe(FailureType.Retryable);
    expect(server.requests).toHaveLength(1);
  });

  it('cancelling a prediction Replicate has forgotten resolves quietly', async () => {
    server.respond(() => ({ status: 404, json: { detail: 'Not found.' } }));

    const snapshot = await run(mockEnv(), activities.cancelPrediction, { ...poll, id: 'p9' });

    expect(snapshot).toMatchObject({ id: 'p9', status: 'canceled' });
  });

  it('activity cancellation aborts the request in flight', async () => {
    server.respond(() => ({ hang: true }));
    const env = mockEnv();
    const polling = run(env, activities.getPrediction, poll);
    setTimeout(() => env.cancel(), 50);

    await expect(polling).rejects.toBeInstanceOf(CancelledFailure);
    expect(server.requests).toHaveLength(1);
  });
});
