import { FailureType } from '../../src/domain/failures';
import { planClip } from '../../src/domain/catalogue';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { inputIdentifiesCreate, seedOfToken } from '../../src/replicate/idempotency';
import { SIMULATED_MODELS } from '../../simulator';
import { TOKEN, failureOf } from './failure-helpers';
import { predictionJson, startScriptedServer, type RecordedRequest, type ScriptedServer } from './scripted-server';

/** SVD's planned input when the user sets no seed: clipgen sends the create's own. */
const input = { input_image: 'https://example.com/first.png', frames_per_second: 6 };
const request = { model: 'svd' as const, input, idempotencyToken: 'run-9-primary-0', cancelAfterSeconds: 90 };
/** What that create sends, and what Replicate lists for it. */
const sent = { ...input, seed: seedOfToken(request.idempotencyToken) };
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

let server: ScriptedServer;

beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

/** Lists `pages` for GET /v1/predictions (page n at ?cursor=n) and creates 'fresh1' on POST. */
function serve(pages: Record<string, unknown>[][], nextOrigin?: string) {
  server.respond((req: RecordedRequest) => {
    if (req.method === 'POST') return { status: 201, json: predictionJson({ id: 'fresh1', input: sent }) };
    const index = Number(req.query.get('cursor') ?? '0');
    const hasNext = index + 1 < pages.length;
    return {
      status: 200,
      json: {
        previous: null,
        next: hasNext ? `${nextOrigin ?? server.origin}/v1/predictions?cursor=${index + 1}` : null,
        results: pages[index] ?? [],
      },
    };
  });
}

const gateway = () => createReplicateGateway({ apiToken: TOKEN, baseUrl: server.baseUrl });
const posts = () => server.requests.filter((r) => r.method === 'POST');
const lists = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/v1/predictions');

describe('a retried create adopts the prediction an earlier attempt made', () => {
  it('finds it by the token in its echoed webhook URL and creates nothing, even when the user set the seed', async () => {
    const webhook = { url: 'https://hooks.example.com/r?clip=1', events: ['completed' as const] };
    const seeded = { ...input, seed: 7 };
    serve([
      [
        predictionJson({
          id: 'other',
          input: seeded,
          webhook: 'https://hooks.example.com/r?clip=1&clipgen_token=someone-else',
        }),
        predictionJson({
          id: 'mine',
          input: seeded,
          webhook: 'https://hooks.example.com/r?clip=1&clipgen_token=run-9-primary-0',
        }),
      ],
    ]);

    const snapshot = await gateway().createPrediction({ ...request, input: seeded, webhook }, undefined, {
      lookupExisting: true,
    });

    expect(snapshot.id).toBe('mine');
    expect(posts()).toHaveLength(0);
    expect(lists()).toHaveLength(1);
    expect(Date.parse(lists()[0].query.get('created_after') ?? '')).toBeLessThan(Date.now());
  });

  it('without an echoed webhook, finds a recent prediction with the same model, version and input (its own seed)', async () => {
    serve([
      [
        predictionJson({ id: 'same-input-other-model', model: 'cuuupid/cogvideox-5b', input: sent }),
        predictionJson({ id: 'another-create', input: { ...input, seed: seedOfToken('run-9-primary-1') } }),
        predictionJson({
          id: 'mine',
          status: 'processing',
          input: { seed: sent.seed, frames_per_second: 6, input_image: input.input_image },
        }),
      ],
    ]);

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot).toMatchObject({ id: 'mine', status: 'processing' });
    expect(posts()).toHaveLength(0);
  });

  it('reads a second page when the first is all recent predictions of others', async () => {
    const others = Array.from({ length: 100 }, (_, i) => predictionJson({ id: `other${i}`, input: { other: i } }));
    serve([others, [predictionJson({ id: 'mine', input: sent, created_at: minutesAgo(3) })]]);

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot.id).toBe('mine');
    expect(lists()).toHaveLength(2);
    expect(posts()).toHaveLength(0);
  });

  it('never follows a next link to another host with the token', async () => {
    const others = Array.from({ length: 3 }, (_, i) => predictionJson({ id: `other${i}`, input: { other: i } }));
    serve([others, [predictionJson({ id: 'mine', input })]], 'http://127.0.0.2:9');

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot.id).toBe('fresh1');
    expect(lists()).toHaveLength(1);
  });
});

describe('a retried create creates when nothing earlier matches', () => {
  it.each([
    ['it is older than the lookup window', predictionJson({ id: 'old1', input: sent, created_at: minutesAgo(40) })],
    ['the input differs', predictionJson({ id: 'diff1', input: { ...sent, seed: sent.seed + 1 } })],
    ['the input is the planned one, without this create’s seed', predictionJson({ id: 'plan1', input })],
    ['the version differs', predictionJson({ id: 'v1', input: sent, version: 'f'.repeat(64) })],
    [
      'its webhook carries another token',
      predictionJson({ id: 'w1', input: sent, webhook: 'https://h.example.com/?clipgen_token=x' }),
    ],
  ])('when %s', async (_case, earlier) => {
    serve([[earlier]]);

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot.id).toBe('fresh1');
    expect(lists()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('skips the lookup entirely when told there can be no earlier attempt', async () => {
    serve([[predictionJson({ id: 'mine', input: sent })]]);

    const snapshot = await gateway().createPrediction(request, undefined, { lookupExisting: false });

    expect(snapshot.id).toBe('fresh1');
    expect(lists()).toHaveLength(0);
  });

  it('does not create blind when the lookup itself fails', async () => {
    server.respond(() => ({ status: 503, headers: { 'retry-after': '2' }, json: { detail: 'unavailable' } }));

    const failure = await failureOf(gateway().createPrediction(request));

    expect(failure.type).toBe(FailureType.Retryable);
    expect(failure.nextRetryDelay).toBe(2000);
    expect(failure.message).toContain('Listing recent predictions');
    expect(server.requests).toHaveLength(1);
    expect(posts()).toHaveLength(0);
  });
});

describe('a prediction that could be another create’s is never adopted', () => {
  it('adopts its own even when it has failed: no other create sends that input', async () => {
    serve([[predictionJson({ id: 'mine', input: sent, status: 'failed', error: 'boom' })]]);

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot).toMatchObject({ id: 'mine', status: 'failed', adopted: true });
    expect(posts()).toHaveLength(0);
  });

  it.each([
    ['the user set the seed (two clips may send the same one)', 'svd' as const, { ...input, seed: 7 }, undefined],
    [
      'the model takes no seed (Kling)',
      'kling-v2.1' as const,
      { prompt: 'a fox', start_image: input.input_image, duration: 5 },
      'kwaivgi/kling-v2.1',
    ],
  ])('without an echoed webhook, when %s: it creates anew', async (_case, model, sameInput, modelName) => {
    const identical = {
      id: 'identical',
      input: sameInput,
      ...(modelName ? { model: modelName, version: 'hidden' } : {}),
    };
    serve([[predictionJson(identical)]]);

    const snapshot = await gateway().createPrediction({ ...request, model, input: sameInput });

    expect(snapshot.id).toBe('fresh1');
    expect(posts()).toHaveLength(1);
    // Sent exactly as planned: clipgen never overrides the user's seed, nor adds one a model does not take.
    expect(JSON.parse(posts()[0].body).input).toEqual(sameInput);
  });
});

describe('the seed a create is sent', () => {
  it('is derived from its token when the plan has none, so identical clips send different input', async () => {
    serve([[]]);

    await gateway().createPrediction(request, undefined, { lookupExisting: false });
    await gateway().createPrediction({ ...request, idempotencyToken: 'run-10-primary-0' }, undefined, {
      lookupExisting: false,
    });

    const seeds = posts().map((post) => (JSON.parse(post.body) as { input: { seed: number } }).input.seed);
    expect(seeds[0]).toBe(sent.seed);
    expect(seeds[1]).not.toBe(seeds[0]);
    for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
  });

  it('is derived only for the models that take a seed, matching the simulated models’ schemas', () => {
    for (const model of SIMULATED_MODELS) {
      const takesSeed = model.schema.properties.seed?.type === 'integer';
      expect([model.key, inputIdentifiesCreate({ model: model.key as never, input: {} })]).toEqual([
        model.key,
        takesSeed,
      ]);
    }
  });

  it('is not in the plan of a clip without a seed setting (the create adds it)', () => {
    const clip = { clipIndex: 0, prompt: 'a lighthouse', duration: 3, imageUrl: input.input_image };
    expect(planClip('svd', clip, {}).input).not.toHaveProperty('seed');
    expect(planClip('cogvideox', { ...clip, duration: 6 }, {}).input).not.toHaveProperty('seed');
  });
});
