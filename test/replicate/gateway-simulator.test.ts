/**
 * The gateway and the real `replicate` client against the project's Replicate simulator (simulator/),
 * which keeps Replicate's wire contract and scripts its faults.
 */
import { FailureType } from '../../src/domain/failures';
import { isTerminalStatus, type ModelId, type PredictionSnapshot } from '../../src/domain/types';
import { createReplicateGateway, type ReplicateGateway } from '../../src/replicate/gateway';
import { classifyPredictionError } from '../../src/domain/prediction-errors';
import { startSimulator, type Simulator } from '../../simulator';
import { TOKEN, failureOf, visibleText } from './failure-helpers';

const cogRequest = {
  model: 'cogvideox' as const,
  input: { prompt: 'a lighthouse at dawn', steps: 10 },
  idempotencyToken: 'sim-run-primary-0',
  cancelAfterSeconds: 120,
};
const hailuoRequest = {
  model: 'hailuo-02' as const,
  input: { prompt: 'waves on a beach', duration: 6, resolution: '512p' },
  idempotencyToken: 'sim-run-fallback-0',
};

let sim: Simulator;
let gateway: ReplicateGateway;

beforeEach(async () => {
  sim = await startSimulator({ token: TOKEN, startSeconds: 0.05, predictSeconds: 0.3, renderScale: 0.25 });
  gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: sim.baseUrl });
});
afterEach(async () => {
  await sim.close();
});

const requestsTo = (endpoint: string) => sim.stats().requests[endpoint] ?? 0;

async function waitForTerminal(model: ModelId, id: string): Promise<PredictionSnapshot> {
  for (let polls = 0; polls < 100; polls++) {
    const snapshot = await gateway.getPrediction(model, id);
    if (isTerminalStatus(snapshot.status)) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prediction ${id} did not finish`);
}

it('creates community models by version and official ones by model, then reads them to the end', async () => {
  const cog = await gateway.createPrediction(cogRequest, undefined, { lookupExisting: false });
  const hailuo = await gateway.createPrediction(hailuoRequest, undefined, { lookupExisting: false });

  expect(requestsTo('POST /v1/predictions')).toBe(1);
  expect(requestsTo('POST /v1/models/minimax/hailuo-02/predictions')).toBe(1);
  expect(sim.predictions().find((p) => p.id === cog.id)?.deadline).toBeDefined();
  const done = await waitForTerminal('cogvideox', cog.id);
  expect(done).toMatchObject({ status: 'succeeded', model: 'cogvideox' });
  expect(done.outputUrl).toMatch(/^http:\/\/localhost:\d+\//);
  expect(done.predictTime).toBeGreaterThan(0);
  expect((await waitForTerminal('hailuo-02', hailuo.id)).videoOutputDurationSeconds).toBeGreaterThan(0);
});

it('a create whose response was lost is adopted on the retry: one prediction, one POST', async () => {
  sim.faults.add({ kind: 'lose-response', route: 'create' });

  const lost = await failureOf(gateway.createPrediction(cogRequest, undefined, { lookupExisting: false }));
  const adopted = await gateway.createPrediction(cogRequest, undefined, { lookupExisting: true });

  expect(lost.type).toBe(FailureType.Retryable);
  expect(sim.stats().predictionsCreated['cuuupid/cogvideox-5b']).toBe(1);
  expect(requestsTo('POST /v1/predictions')).toBe(1);
  expect(adopted.id).toBe(sim.predictions()[0].id);
});

it.each([
  ['echoes webhook: the token in its query finds the prediction', true, 1],
  ['does not echo webhook (the published schema): a model without a seed cannot tell it from another clip’s', false, 2],
])('with a webhook, when Replicate %s', async (_case, echoWebhook, predictions) => {
  await sim.close();
  sim = await startSimulator({ token: TOKEN, startSeconds: 0.05, predictSeconds: 0.3, renderScale: 0.25, echoWebhook });
  gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: sim.baseUrl });
  sim.faults.add({ kind: 'lose-response', route: 'create' });
  const request = {
    ...hailuoRequest,
    webhook: { url: 'http://127.0.0.1:9/hook?clip=2', events: ['completed' as const] },
  };

  await failureOf(gateway.createPrediction(request, undefined, { lookupExisting: false }));
  const retried = await gateway.createPrediction(request);

  expect(sim.stats().predictionsCreated['minimax/hailuo-02']).toBe(predictions);
  expect(retried.adopted).toBe(echoWebhook);
  expect(retried.id).toBe(sim.predictions()[predictions - 1].id);
  expect(new URL(sim.predictions()[0].webhook ?? '').searchParams.get('clipgen_token')).toBe('sim-run-fallback-0');
});

it.each([
  ['a reset connection', { kind: 'reset' as const }, FailureType.Retryable, undefined],
  [
    'a 429 with Retry-After 7',
    { kind: 'http-error' as const, status: 429, retryAfter: 7 },
    FailureType.Retryable,
    7000,
  ],
  ['a 500', { kind: 'http-error' as const, status: 500 }, FailureType.Retryable, undefined],
])('a create that meets %s is sent once and fails as %s', async (_case, effect, type, delay) => {
  sim.faults.add({ ...effect, route: 'create', times: 'always' });

  const failure = await failureOf(gateway.createPrediction(cogRequest, undefined, { lookupExisting: false }));

  expect(requestsTo('POST /v1/predictions')).toBe(1);
  expect(failure.type).toBe(type);
  expect(failure.nextRetryDelay).toBe(delay);
});

it.each([429, 503])('a poll answered %i is sent once and is retryable', async (status) => {
  const created = await gateway.createPrediction(cogRequest, undefined, { lookupExisting: false });
  sim.faults.add({ kind: 'http-error', status, route: 'get', times: 'always' });

  const failure = await failureOf(gateway.getPrediction('cogvideox', created.id));

  expect(requestsTo('GET /v1/predictions/:id')).toBe(1);
  expect(failure.type).toBe(FailureType.Retryable);
});

it('an unavailable model fails as ModelUnavailable on either create route', async () => {
  sim.faults.add([{ kind: 'model-unavailable' }, { kind: 'model-unavailable' }]);

  const byVersion = await failureOf(gateway.createPrediction(cogRequest, undefined, { lookupExisting: false }));
  const byModel = await failureOf(gateway.createPrediction(hailuoRequest, undefined, { lookupExisting: false }));

  expect([byVersion.type, byModel.type]).toEqual([FailureType.ModelUnavailable, FailureType.ModelUnavailable]);
  expect(sim.stats().predictionsCreated).toEqual({});
});

it('input the model rejects fails as InvalidInput naming the field', async () => {
  const failure = await failureOf(
    gateway.createPrediction({ ...hailuoRequest, input: { ...hailuoRequest.input, duration: 7 } }, undefined, {
      lookupExisting: false,
    }),
  );

  expect(failure.type).toBe(FailureType.InvalidInput);
  expect(failure.message).toContain('duration');
});

it('a wrong token fails as AuthenticationError without showing either token', async () => {
  const wrong = 'r8_WrongTokenWrongTokenWrong000';
  const failure = await failureOf(
    createReplicateGateway({ apiToken: wrong, baseUrl: sim.baseUrl }).getPrediction('svd', 'abc'),
  );

  expect(failure.type).toBe(FailureType.Authentication);
  expect(visibleText(failure)).not.toContain(wrong);
  expect(visibleText(failure)).not.toContain(TOKEN);
});

it('cancels a running prediction, and cancelling it again returns it unchanged', async () => {
  sim.faults.add({ kind: 'never-finish' });
  const created = await gateway.createPrediction(cogRequest, undefined, { lookupExisting: false });

  const canceled = await gateway.cancelPrediction('cogvideox', created.id);
  const again = await gateway.cancelPrediction('cogvideox', created.id);

  expect(canceled.status).toBe('canceled');
  expect(again).toMatchObject({ id: created.id, status: 'canceled' });
  expect(sim.stats().running).toBe(0);
});

it('a prediction interrupted by Replicate comes back failed, and its error is retryable', async () => {
  sim.faults.add({ kind: 'prediction-failed', error: 'Prediction interrupted; please retry (code: PA)' });
  const created = await gateway.createPrediction(cogRequest, undefined, { lookupExisting: false });

  const failed = await waitForTerminal('cogvideox', created.id);

  expect(failed.status).toBe('failed');
  expect(classifyPredictionError(failed.error)).toBe(FailureType.Retryable);
});
