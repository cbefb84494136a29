import type { WorkflowHandle } from '@temporalio/client';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import type { ClipProgress } from '../../src/domain/progress';
import type { Clip, GenerateClipInput } from '../../src/domain/types';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/receiver';
import type { generateClipWorkflow } from '../../src/workflows';
import { countHistory } from '../helpers/history-counts';
import { ClipHarness } from '../workflows/harness';
import { post, signedDelivery } from './deliveries';

jest.setTimeout(120_000);

/** Long enough to act while a prediction runs; far shorter than the catalogue's 120 s deadline. */
const PREDICT_SECONDS = 2;
const silent = { info: () => undefined, warn: () => undefined };

type ClipHandle = WorkflowHandle<typeof generateClipWorkflow>;

let harness: ClipHarness;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // The dev server keeps real time, so the safety-net poll at the deadline really is that far away.
  harness = await ClipHarness.start('dev', { simulator: { predictSeconds: PREDICT_SECONDS, startSeconds: 0.1 } });
  receiver = await startWebhookReceiver({
    secret: harness.simulator.webhookSecret,
    client: harness.env.client,
    logger: silent,
  });
});

beforeEach(() => {
  harness.webhook = { publicUrl: receiver.url, fallbackPollIntervalMs: null };
});

afterEach(() => harness.simulator.faults.clear());

afterAll(async () => {
  await receiver?.close();
  await harness?.close();
});

/** Starts a clip on a fresh worker, hands its handle to `during` while the worker runs, then awaits the clip. */
async function runClip(
  input: GenerateClipInput,
  during: (handle: ClipHandle) => Promise<void> = async () => undefined,
): Promise<{ clip: Clip; handle: ClipHandle }> {
  const { worker, taskQueue } = await harness.worker();
  return worker.runUntil(async () => {
    const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, taskQueue),
    );
    await during(handle);
    return { clip: await handle.result(), handle };
  });
}

/** The progress once the workflow waits for its prediction (to start, or to finish). */
async function whileWaiting(handle: ClipHandle): Promise<ClipProgress> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const progress = await handle.query<ClipProgress>('progress');
    if (progress.phase.startsWith('waiting-for-') && progress.predictionId) return progress;
    if (Date.now() > deadline) throw new Error(`the clip never waited for a prediction (${progress.phase})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function predictionsCreated(): number {
  return Object.values(harness.simulator.stats().predictionsCreated).reduce((sum, n) => sum + n, 0);
}

describe('webhooks on a real dev server, delivered by the simulator', () => {
  it('wake the workflow as the prediction completes: no poll, and 7 billable actions for the clip', async () => {
    const signalledBefore = receiver.counts().signalled;
    const started = Date.now();

    const { clip, handle } = await runClip(harness.input({ duration: 3 }));

    expect(clip.status).toBe('success');
    expect((Date.now() - started) / 1000).toBeLessThan(30);
    const history = await countHistory(handle);
    expect(history.activities.getPrediction ?? 0).toBe(0);
    // Only `completed` is asked for: a `start` webhook would cost a signal to show "running" sooner.
    expect(history.signals).toBe(1);
    expect(receiver.counts().signalled - signalledBefore).toBe(1);
    // The start, reserve, create, the one safety-net timer, the webhook's signal, the booking, fetch-probe-store.
    expect(history).toMatchObject({ timers: 1, activityAttempts: 4, searchAttributeUpserts: 0, actions: 7 });
  });

  it('catch a lost webhook with one poll at the deadline, with no fallback poll interval set', async () => {
    harness.simulator.faults.add({ kind: 'webhook-fail', times: 'always' });
    const started = Date.now();

    const { clip, handle } = await runClip(harness.input({ duration: 3 }, { deadline: '6s' }));

    expect(clip.status).toBe('success');
    const waited = (Date.now() - started) / 1000;
    expect(waited).toBeGreaterThanOrEqual(6);
    expect(waited).toBeLessThan(30);
    const history = await countHistory(handle);
    expect(history.signals).toBe(0);
    expect(history.activities.getPrediction).toBe(1);
  });

  it('ignore forged, stale and replayed deliveries claiming the prediction succeeded', async () => {
    const fake = { status: 'succeeded', secret: harness.simulator.webhookSecret };
    const answers: string[] = [];

    const { clip, handle } = await runClip(harness.input({ duration: 3 }), async (running) => {
      const { predictionId } = await whileWaiting(running);
      const target = { workflowId: running.workflowId, predictionId: predictionId as string };
      const replayed = signedDelivery({ ...fake, ...target, status: 'processing' });
      const deliveries = [
        signedDelivery({ ...fake, ...target, secret: 'whsec_Zm9yZ2VkLWtleS1mb3JnZWQta2V5' }),
        signedDelivery({ ...fake, ...target, timestamp: Math.floor(Date.now() / 1000) - 600 }),
        replayed,
        replayed,
      ];
      for (const delivery of deliveries) answers.push((await post(receiver.url, delivery)).outcome);
      const progress = await running.query<ClipProgress>('progress');
      expect(progress).toMatchObject({ phase: 'waiting-for-prediction', predictionId });
    });

    expect(answers).toEqual(['bad-signature', 'stale', 'signalled', 'duplicate']);
    // The real output, not the forged replicate.delivery URL: the forged "succeeded" never reached the workflow.
    expect(clip.status).toBe('success');
    expect(clip.video.bytes).toBeGreaterThan(0);
    // completed from the simulator, and the one genuine "processing" we sent (its replay was dropped).
    expect((await countHistory(handle)).signals).toBe(2);
  });

  it('fall back to polling when every delivery is lost', async () => {
    harness.webhook = { publicUrl: receiver.url, fallbackPollIntervalMs: 1500 };
    harness.simulator.faults.add({ kind: 'webhook-fail', times: 'always' });
    const failedBefore = harness.simulator.stats().webhooksFailed;

    const { clip, handle } = await runClip(harness.input({ duration: 3 }));

    expect(clip.status).toBe('success');
    const history = await countHistory(handle);
    expect(history.signals).toBe(0);
    expect(history.activities.getPrediction).toBeGreaterThanOrEqual(1);
    expect(harness.simulator.stats().webhooksFailed - failedBefore).toBeGreaterThanOrEqual(4);
  });

  it('adopt the prediction a create made before its response was lost: exactly one is created', async () => {
    harness.simulator.faults.add({ kind: 'lose-response', route: 'create' });
    const before = predictionsCreated();

    const { clip, handle } = await runClip(harness.input({ duration: 3 }));

    expect(clip.status).toBe('success');
    expect(predictionsCreated() - before).toBe(1);
    const history = await countHistory(handle);
    expect(history.activities.createPrediction).toBe(1);
    expect(history.activityAttempts).toBeGreaterThan(Object.values(history.activities).reduce((a, b) => a + b, 0));
    const ours = harness.simulator.predictions().find((prediction) => prediction.id === clip.predictionId);
    expect(ours?.webhook).toContain(`workflowId=${encodeURIComponent(handle.workflowId)}`);
  });
});
