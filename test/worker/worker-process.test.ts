import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { CLIP_SEARCH_ATTRIBUTES } from '../../src/domain/clip-identity';
import { startSimulator, type Simulator } from '../../simulator';
import type { generateClipWorkflow } from '../../src/workflows';
import { CliProcess } from '../commands/cli-process';
import { serveFirstFrame } from '../helpers/first-frame';
import { createDevServerEnv } from '../helpers/temporal-env';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
let simulator: Simulator;
let image: { url: string; close(): Promise<void> };
let dataDir: string;
let worker: CliProcess | undefined;

beforeAll(async () => {
  env = await createDevServerEnv({ searchAttributes: CLIP_SEARCH_ATTRIBUTES });
  simulator = await startSimulator({ predictSeconds: 0.5, startSeconds: 0, renderScale: 0.25 });
  image = await serveFirstFrame();
  dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-worker-'));
});

afterAll(async () => {
  await worker?.kill();
  await image?.close();
  await simulator?.close();
  await env?.teardown();
  await fs.promises.rm(dataDir, { recursive: true, force: true });
});

/** `clipgen worker` as an operator runs it: a process configured from the environment, stopped by a signal. */
describe('clipgen worker', () => {
  it('logs jobId and clipIndex on its lines, and on SIGTERM lets the running activity finish before exiting', async () => {
    const taskQueue = `worker-${randomUUID()}`;
    worker = new CliProcess(['worker'], {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      REPLICATE_API_TOKEN: '',
      REPLICATE_SIMULATOR_URL: simulator.baseUrl,
      DATABASE_URL: '',
      CLIPGEN_DATA_DIR: dataDir,
      LOG_LEVEL: 'DEBUG',
      WORKER_SHUTDOWN_GRACE_TIME: '30s',
      NODE_ENV: 'development',
    });
    await worker.waitForLine(/\[INFO\] clipgen worker ready .*"taskQueue":"[^"]+"/, 120_000);

    // The primary is unavailable (so the workflow logs a warning), and the fallback's first poll is slow.
    simulator.faults.add([
      { kind: 'model-unavailable', model: 'svd' },
      { kind: 'delay', ms: 4000, route: 'get', model: 'cogvideox' },
    ]);
    const jobId = randomUUID();
    const input = {
      jobId,
      clip: { clipIndex: 3, prompt: 'a lighthouse in a storm', duration: 6, imageUrl: image.url },
      pollInterval: '1s' as const,
    };
    const handle = await env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, taskQueue, { searchAttributes: true }),
    );

    const pollStarted = await worker.waitForLine(/\[DEBUG\] Activity started .*"activityType":"getPrediction"/);
    worker.signal('SIGTERM');
    const exit = await worker.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(pollStarted).toContain(`"jobId":"${jobId}","clipIndex":3`);
    const fallbackWarning = await worker.waitForLine(/\[WARN\] Primary model could not serve the clip/);
    expect(fallbackWarning).toContain(`"jobId":"${jobId}","clipIndex":3`);
    expect(worker.stderr).toContain('clipgen worker stopped');

    // The poll that was running at SIGTERM completed (within the grace time) instead of being cancelled.
    const { events } = await handle.fetchHistory();
    const polls = (events ?? []).filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'getPrediction',
    );
    expect(polls).toHaveLength(1);
    const pollId = Number(polls[0].eventId);
    const outcome = (events ?? []).find(
      (event) =>
        Number(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? 0) === pollId ||
        Number(event.activityTaskFailedEventAttributes?.scheduledEventId ?? 0) === pollId ||
        Number(event.activityTaskTimedOutEventAttributes?.scheduledEventId ?? 0) === pollId ||
        Number(event.activityTaskCanceledEventAttributes?.scheduledEventId ?? 0) === pollId,
    );
    expect(outcome?.activityTaskCompletedEventAttributes).toBeTruthy();
    await handle.terminate('test over');
  });
});
