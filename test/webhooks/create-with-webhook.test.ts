import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { CreatedPrediction } from '../../src/activities/contracts';
import { predictionActivities } from '../../src/activities/predictions';
import { createReplicateGateway } from '../../src/replicate/gateway';
import { predictionJson, startScriptedServer, type ScriptedServer } from '../replicate/scripted-server';

const input = { prompt: 'a red fox in the snow', duration: 5 };
const createInput = {
  model: 'kling-v2.1' as const,
  input,
  idempotencyToken: 'run-1-primary-0',
  cancelAfterSeconds: 150,
};
const workflowExecution = { workflowId: 'clip-3f1c-2', runId: 'run-1' };

let server: ScriptedServer;

beforeEach(async () => {
  server = await startScriptedServer((req) =>
    req.method === 'POST'
      ? { status: 201, json: predictionJson({ id: 'created', model: 'kwaivgi/kling-v2.1', input }) }
      : { status: 200, json: { next: null, results: [] } },
  );
});
afterEach(async () => {
  await server.close();
});

function create(webhook?: { publicUrl: string; fallbackPollIntervalMs: number }): Promise<CreatedPrediction> {
  const activities = predictionActivities({
    replicate: createReplicateGateway({ apiToken: 'r8_test', baseUrl: server.baseUrl }),
    webhook,
  });
  const env = new MockActivityEnvironment({ attempt: 1, workflowExecution }, { logger: new DefaultLogger('ERROR') });
  return env.run(activities.createPrediction, createInput) as Promise<CreatedPrediction>;
}

describe('createPrediction with webhooks configured', () => {
  it("sends the receiver's URL for this workflow and model, with the token, asking only for the completed event", async () => {
    const created = await create({ publicUrl: 'https://hooks.example.com/clipgen', fallbackPollIntervalMs: 30_000 });

    expect(created).toMatchObject({ id: 'created', webhook: { fallbackPollIntervalMs: 30_000 } });
    const body = JSON.parse(server.requests[0].body) as { webhook: string; webhook_events_filter: string[] };
    const url = new URL(body.webhook);
    expect(url.origin + url.pathname).toBe('https://hooks.example.com/clipgen/replicate');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      workflowId: 'clip-3f1c-2',
      model: 'kling-v2.1',
      clipgen_token: 'run-1-primary-0',
    });
    expect(body.webhook_events_filter).toEqual(['completed']);
  });

  it('without webhooks sends none and tells the workflow to poll (webhook: null)', async () => {
    const created = await create();

    expect(created).toMatchObject({ id: 'created', webhook: null });
    expect(JSON.parse(server.requests[0].body)).not.toHaveProperty('webhook');
  });
});
