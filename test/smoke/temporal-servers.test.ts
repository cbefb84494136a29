import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { createDevServerEnv, createTimeSkippingEnv } from '../helpers/temporal-env';
import { workflowBundle } from '../helpers/workflow-bundle';
import { napThenGreet, type SmokeActivities } from './smoke-workflows';

// Proves that both Temporal server binaries start and run workflows. In CI a missing binary fails here.

const activities: SmokeActivities = { greet: async (name) => `Hello, ${name}!` };
const SmokeStatus = defineSearchAttributeKey('SmokeStatus', SearchAttributeType.KEYWORD);

let bundle: WorkflowBundle;

beforeAll(async () => {
  bundle = await workflowBundle(require.resolve('./smoke-workflows'));
});

async function runOn(env: TestWorkflowEnvironment, taskQueue: string, run: () => Promise<void>): Promise<void> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  await worker.runUntil(run());
}

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('skips a 30 s workflow sleep in well under 5 s', async () => {
    const serverStart = await env.currentTimeMs();
    const wallStart = Date.now();
    await runOn(env, 'smoke-time-skipping', async () => {
      const greeting = await env.client.workflow.execute(napThenGreet, {
        args: ['time-skipping', '30 seconds'],
        workflowId: 'smoke-time-skipping',
        taskQueue: 'smoke-time-skipping',
      });
      expect(greeting).toBe('Hello, time-skipping!');
    });
    expect(Date.now() - wallStart).toBeLessThan(5_000);
    expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(30_000);
  });
});

describe('dev server (temporal server start-dev)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevServerEnv({ ui: true, searchAttributes: [SmokeStatus] });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with a registered search attribute', async () => {
    await runOn(env, 'smoke-dev-server', async () => {
      const handle = await env.client.workflow.start(napThenGreet, {
        args: ['dev server', '100 ms'],
        workflowId: 'smoke-dev-server',
        taskQueue: 'smoke-dev-server',
        typedSearchAttributes: [{ key: SmokeStatus, value: 'smoke' }],
      });
      expect(await handle.result()).toBe('Hello, dev server!');
      const { typedSearchAttributes } = await handle.describe();
      expect(typedSearchAttributes.get(SmokeStatus)).toBe('smoke');
    });
  });

  it('serves the Web UI on the gRPC port + 1000', async () => {
    const grpcPort = Number(env.address.split(':').pop());
    const response = await fetch(`http://127.0.0.1:${grpcPort + 1000}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });
});
