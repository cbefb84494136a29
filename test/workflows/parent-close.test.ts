import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { clipWorkflowId } from '../../src/domain/clip-identity';
import {
  type GenerateClipsInput,
  type generateClipWorkflow,
  type generateClipsWorkflow,
  ALREADY_RUNNING,
} from '../../src/workflows';
import { eventuallyAsync } from '../helpers/eventually';
import { eventually } from '../simulator/helpers';
import { useClipHarness } from './harness';
import { imageClips, parentOptions, predictionsSince } from './parent-support';

jest.setTimeout(120_000);

// A real dev server: the time-skipping test server does not carry out parent close policies.
const harness = useClipHarness('dev');

describe('generateClipsWorkflow: stopping the parent, starting a clip twice', () => {
  it.each(['cancelled', 'terminated'] as const)(
    'a parent that is %s cancels every child and every running prediction',
    async (howStopped) => {
      harness.simulator.faults.add({ kind: 'never-finish', model: 'svd', times: 3 });
      const input: GenerateClipsInput = { jobId: randomUUID(), clips: imageClips(harness, 3) };
      const before = harness.simulator.predictions().length;
      const { worker, taskQueue } = await harness.worker();

      await worker.runUntil(async () => {
        const parent = await harness.env.client.workflow.start<typeof generateClipsWorkflow>(
          'generateClipsWorkflow',
          parentOptions(input, taskQueue),
        );
        await eventually(() => predictionsSince(harness, before).length === 3, 30_000);
        await eventually(() => predictionsSince(harness, before).every((p) => p.status === 'processing'), 30_000);

        if (howStopped === 'cancelled') {
          await parent.cancel();
          const err = await parent.result().catch((error: unknown) => error);
          expect(err).toBeInstanceOf(WorkflowFailedError);
          expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
        } else {
          await parent.terminate('the pipeline gave up');
        }

        const children = input.clips.map((clip) =>
          harness.env.client.workflow.getHandle(clipWorkflowId(input.jobId, clip.clipIndex)),
        );
        const statuses = async () => Promise.all(children.map(async (child) => (await child.describe()).status.name));
        await eventuallyAsync(async () => (await statuses()).every((status) => status !== 'RUNNING'), 30_000);
        expect(await statuses()).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
      });

      expect(predictionsSince(harness, before).map((prediction) => prediction.status)).toEqual([
        'canceled',
        'canceled',
        'canceled',
      ]);
      expect(harness.simulator.stats().running).toBe(0);
    },
  );

  it('a parent cancelled while its children are still creating leaves no prediction running', async () => {
    // Each create reaches Replicate but is answered only after the cancel; its prediction would run until Cancel-After.
    harness.simulator.faults.add([
      { kind: 'delay', ms: 1500, route: 'create', times: 3 },
      { kind: 'never-finish', model: 'svd', times: 3 },
    ]);
    const input: GenerateClipsInput = { jobId: randomUUID(), clips: imageClips(harness, 3) };
    const before = harness.simulator.predictions().length;
    const creates = () => harness.simulator.stats().requests['POST /v1/predictions'] ?? 0;
    const createsBefore = creates();
    const { worker, taskQueue } = await harness.worker();

    await worker.runUntil(async () => {
      const parent = await harness.env.client.workflow.start<typeof generateClipsWorkflow>(
        'generateClipsWorkflow',
        parentOptions(input, taskQueue),
      );
      await eventually(() => creates() - createsBefore === 3, 30_000);
      expect(predictionsSince(harness, before)).toHaveLength(0);
      await parent.cancel();
      expect(((await parent.result().catch((error: unknown) => error)) as WorkflowFailedError).cause).toBeInstanceOf(
        CancelledFailure,
      );
    });

    const made = predictionsSince(harness, before);
    expect(made.map((prediction) => prediction.status)).toEqual(['canceled', 'canceled', 'canceled']);
    expect(harness.simulator.stats().running).toBe(0);
  });

  it('starting a clip that is already running does not create a second prediction', async () => {
    harness.simulator.faults.add({ kind: 'never-finish', model: 'svd' });
    const input = harness.input({ prompt: 'a clip started twice' });
    const before = harness.simulator.predictions().length;
    const { worker, taskQueue } = await harness.worker();

    await worker.runUntil(async () => {
      const first = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(input, taskQueue),
      );
      await eventually(() => predictionsSince(harness, before).length === 1, 30_000);

      // A second client start with the same id is refused…
      await expect(
        harness.env.client.workflow.start<typeof generateClipWorkflow>(
          'generateClipWorkflow',
          clipWorkflowOptions(input, taskQueue),
        ),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      // …or, with USE_EXISTING, handed the running clip.
      const second = await harness.env.client.workflow.start<typeof generateClipWorkflow>('generateClipWorkflow', {
        ...clipWorkflowOptions(input, taskQueue),
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
      // A parent that fans out the same clip records it as already running and does not start it again.
      const parent = await harness.env.client.workflow.execute<typeof generateClipsWorkflow>('generateClipsWorkflow', {
        ...parentOptions({ jobId: input.jobId, clips: [input.clip] }, taskQueue),
      });
      expect(parent.clips).toEqual([]);
      expect(parent.failed).toEqual([
        expect.objectContaining({
          clipIndex: input.clip.clipIndex,
          failureType: ALREADY_RUNNING,
          workflowId: clipWorkflowId(input.jobId, input.clip.clipIndex),
        }),
      ]);

      expect(predictionsSince(harness, before)).toHaveLength(1);
      await first.cancel();
      await expect(first.result()).rejects.toThrow();
    });

    expect(predictionsSince(harness, before)).toHaveLength(1);
    expect(harness.simulator.stats().running).toBe(0);
  });
});
