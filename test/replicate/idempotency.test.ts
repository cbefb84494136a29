import { FailureType } from '../../src/domain/failures';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { TOKEN, failureOf } from './failure-helpers';
import { predictionJson, startScriptedServer, type RecordedRequest, type ScriptedServer } from './scripted-server';

const input = { input_image: 'https://example.com/first.png', frames_per_second: 6, seed: 7 };
const request = { model: 'svd' as const, input, idempotencyToken: 'run-9-primary-0', cancelAfterSeconds: 90 };
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
    if (req.method === 'POST') return { status: 201, json: predictionJson({ id: 'fresh1', input }) };
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
  it('finds it by the token in its webhook URL and creates nothing', async () => {
    const webhook = { url: 'https://hooks.example.com/r?clip=1', events: ['completed' as const] };
    serve([
      [
        predictionJson({
          id: 'other',
          input,
          webhook: 'https://hooks.example.com/r?clip=1&clipgen_token=someone-else',
        }),
        predictionJson({
          id: 'mine',
          input,
          webhook: 'https://hooks.example.com/r?clip=1&clipgen_token=run-9-primary-0',
        }),
      ],
    ]);

    const snapshot = await gateway().createPrediction({ ...request, webhook }, undefined, { lookupExisting: true });

    expect(snapshot.id).toBe('mine');
    expect(posts()).toHaveLength(0);
    expect(lists()).toHaveLength(1);
    expect(Date.parse(lists()[0].query.get('created_after') ?? '')).toBeLessThan(Date.now());
  });

  it('without a webhook, finds a recent prediction with the same model, version and input', async () => {
    serve([
      [
        predictionJson({ id: 'same-input-other-model', model: 'cuuupid/cogvideox-5b', input }),
        predictionJson({
          id: 'mine',
          status: 'processing',
          input: { seed: 7, frames_per_second: 6, input_image: input.input_image },
        }),
      ],
    ]);

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot).toMatchObject({ id: 'mine', status: 'processing' });
    expect(posts()).toHaveLength(0);
  });

  it('reads a second page when the first is all recent predictions of others', async () => {
    const others = Array.from({ length: 100 }, (_, i) => predictionJson({ id: `other${i}`, input: { other: i } }));
    serve([others, [predictionJson({ id: 'mine', input, created_at: minutesAgo(3) })]]);

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
    ['the earlier one failed', predictionJson({ id: 'failed1', input, status: 'failed', error: 'boom' })],
    ['it is older than the lookup window', predictionJson({ id: 'old1', input, created_at: minutesAgo(40) })],
    ['the input differs', predictionJson({ id: 'diff1', input: { ...input, seed: 8 } })],
    ['the version differs', predictionJson({ id: 'v1', input, version: 'f'.repeat(64) })],
    [
      'its webhook carries another token',
      predictionJson({ id: 'w1', input, webhook: 'https://h.example.com/?clipgen_token=x' }),
    ],
  ])('when %s', async (_case, earlier) => {
    serve([[earlier]]);

    const snapshot = await gateway().createPrediction(request);

    expect(snapshot.id).toBe('fresh1');
    expect(lists()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('skips the lookup entirely when told there can be no earlier attempt', async () => {
    serve([[predictionJson({ id: 'mine', input })]]);

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
