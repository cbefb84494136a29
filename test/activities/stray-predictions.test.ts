/** The sweep for stray predictions, against the Replicate simulator and the real `replicate` client. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { SweepStrayPredictionsInput } from '../../src/activities/contracts';
import { strayPredictionActivities, sweepIntervalMs } from '../../src/activities/stray-predictions';
import type { PredictionSnapshot } from '../../src/domain/types';
import { createReplicateGateway, type ReplicateGateway } from '../../src/replicate/gateway';
import { startSimulator, type Simulator } from '../../simulator';
import { TOKEN } from '../replicate/failure-helpers';

/** No seed in the plan: clipgen sends the create's own (from its token), so its input is its alone. */
const create = {
  model: 'cogvideox' as const,
  input: { prompt: 'a kite over dunes' },
  idempotencyToken: 't-0',
};

let sim: Simulator;
let gateway: ReplicateGateway;
let sweep: (input: SweepStrayPredictionsInput, heartbeatDetails?: unknown) => Promise<PredictionSnapshot[]>;
let heartbeats: unknown[];

beforeEach(async () => {
  // Predictions run far longer than any test: whatever stops them is the sweep.
  sim = await startSimulator({ token: TOKEN, startSeconds: 0.05, predictSeconds: 60, renderScale: 0.25 });
  gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: sim.baseUrl, requestTimeoutMs: 2000 });
  heartbeats = [];
  sweep = (input, heartbeatDetails) => {
    const env = new MockActivityEnvironment({ heartbeatDetails }, { logger: new DefaultLogger('ERROR') });
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    return env.run(strayPredictionActivities({ replicate: gateway }).sweepStrayPredictions, input) as Promise<
      PredictionSnapshot[]
    >;
  };
});
afterEach(async () => {
  await sim.close();
});

const make = (request = create) => gateway.createPrediction(request, undefined, { lookupExisting: false });
const statusOf = (id: string) => sim.predictions().find((prediction) => prediction.id === id)?.status;
const windowFromNow = (ms: number) => ({ createdAfterMs: Date.now() - 60_000, untilMs: Date.now() + ms });

it('cancels every prediction of the create but the kept one, and returns them stopped', async () => {
  const kept = await make();
  const stray = await make();

  const strays = await sweep({ create, keepId: kept.id, watch: windowFromNow(0) });

  expect(strays.map((prediction) => [prediction.id, prediction.status])).toEqual([[stray.id, 'canceled']]);
  expect(statusOf(stray.id)).toBe('canceled');
  expect(statusOf(kept.id)).not.toBe('canceled');
});

it('keeps sweeping until the window closes, catching a stray that appears late', async () => {
  const kept = await make();
  const startedAt = Date.now();
  const late = new Promise<PredictionSnapshot>((resolve) => setTimeout(() => resolve(make()), 1200));

  const strays = await sweep({ create, keepId: kept.id, watch: windowFromNow(2000) });

  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
  expect(strays.map((prediction) => prediction.id)).toEqual([(await late).id]);
  expect(statusOf((await late).id)).toBe('canceled');
  expect(heartbeats.length).toBeGreaterThanOrEqual(2);
});

it('leaves other creates alone: another clip with the same planned input, or made before the window', async () => {
  const older = await make();
  const createdAfterMs = Date.parse(sim.predictions().find((p) => p.id === older.id)!.created_at!) + 1;
  await new Promise((resolve) => setTimeout(resolve, 5));
  const kept = await make();
  const otherClip = await make({ ...create, idempotencyToken: 't-1' });

  expect(await sweep({ create, keepId: kept.id, watch: { createdAfterMs, untilMs: Date.now() } })).toEqual([]);
  expect([statusOf(older.id), statusOf(kept.id), statusOf(otherClip.id)]).not.toContain('canceled');
});

describe.each([
  ['Replicate does not echo webhooks', false],
  ['Replicate echoes webhooks', true],
])('two clips of one job with identical input, when %s', (_mode, echoWebhook) => {
  beforeEach(async () => {
    await sim.close();
    sim = await startSimulator({
      token: TOKEN,
      startSeconds: 0.05,
      predictSeconds: 60,
      renderScale: 0.25,
      echoWebhook,
    });
    gateway = createReplicateGateway({ apiToken: TOKEN, baseUrl: sim.baseUrl, requestTimeoutMs: 2000 });
  });

  const webhook = { url: 'http://127.0.0.1:9/hooks/replicate', events: ['completed' as const] };

  it.each([
    ['without webhooks', false],
    ['with webhooks', true],
  ])('a sweep cancels only its own clip’s stray, %s', async (_case, webhooks) => {
    const clipA = { ...create, ...(webhooks ? { webhook } : {}) };
    const clipB = { ...clipA, idempotencyToken: 't-b' };
    const [keptA, strayA, keptB, strayB] = [await make(clipA), await make(clipA), await make(clipB), await make(clipB)];

    const strays = await sweep({ create: clipA, keepId: keptA.id, watch: windowFromNow(0) });

    expect(strays.map((prediction) => prediction.id)).toEqual([strayA.id]);
    expect(statusOf(strayA.id)).toBe('canceled');
    expect([statusOf(keptA.id), statusOf(keptB.id), statusOf(strayB.id)]).not.toContain('canceled');
  });

  it('with the same seed set by the user, only an echoed token lets the sweep cancel anything', async () => {
    const clipA = { ...create, input: { ...create.input, seed: 7 }, webhook };
    const clipB = { ...clipA, idempotencyToken: 't-b' };
    const [keptA, strayA, keptB] = [await make(clipA), await make(clipA), await make(clipB)];

    const strays = await sweep({ create: clipA, keepId: keptA.id, watch: windowFromNow(0) });

    expect(strays.map((prediction) => prediction.id)).toEqual(echoWebhook ? [strayA.id] : []);
    expect(statusOf(strayA.id) === 'canceled').toBe(echoWebhook);
    expect([statusOf(keptA.id), statusOf(keptB.id)]).not.toContain('canceled');
  });
});

it('a retried sweep carries on with the strays an earlier attempt found, though the listing no longer shows them', async () => {
  const kept = await make();
  const stray = await make();
  await gateway.cancelPrediction(create.model, stray.id);

  // The heartbeat names this one, whatever the listing shows.
  const strays = await sweep({ create, keepId: kept.id, watch: windowFromNow(0) }, { strayIds: [stray.id] });

  expect(strays).toEqual([expect.objectContaining({ id: stray.id, status: 'canceled' })]);
});

it('for a create that never returned, every prediction it made is a stray, looking back from the sweep', async () => {
  const made = await make();

  // Request timeout 2 s: the window runs 4 s from the sweep's first attempt.
  const startedAt = Date.now();
  const strays = await sweep({ create, keepId: null, watch: { lookBackMs: 5_000 } });

  expect(strays.map((prediction) => [prediction.id, prediction.status])).toEqual([[made.id, 'canceled']]);
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(4_000);
});

it('sweeps every few seconds at most, and every second at least', () => {
  expect([sweepIntervalMs(30_000), sweepIntervalMs(2_000), sweepIntervalMs(600_000)]).toEqual([5_000, 1_000, 5_000]);
});
