import { randomUUID } from 'node:crypto';
import { clipWorkflowId } from '../../src/domain/clip-identity';
import { addUsd } from '../../src/domain/money';
import type { GenerateClipsInput, generateClipsWorkflow } from '../../src/workflows';
import { useClipHarness } from './harness';
import { imageClips, parentOptions } from './parent-support';

jest.setTimeout(120_000);

const harness = useClipHarness();

const SVD = 'stability-ai/stable-video-diffusion';
const COGVIDEOX = 'cuuupid/cogvideox-5b';

describe('generateClipsWorkflow (the parent contract)', () => {
  it('gives exactly the expected mix of clips and failed-clip records for 10 clips (and one malformed clip)', async () => {
    harness.simulator.faults.add([
      { kind: 'model-unavailable', model: 'svd', times: 3 },
      {
        kind: 'prediction-failed',
        model: 'svd',
        error: 'The input or output was flagged as sensitive. (E005)',
        times: 2,
      },
      { kind: 'never-finish', model: 'svd', times: 2 },
    ]);
    const clips = [...imageClips(harness, 10), { clipIndex: 10, prompt: 'too short to exist', duration: 0 }];
    const input: GenerateClipsInput = { jobId: randomUUID(), clips };
    const svdBefore = harness.created(SVD);
    const cogBefore = harness.created(COGVIDEOX);
    const { worker, taskQueue } = await harness.worker();

    const result = await worker.runUntil(
      harness.env.client.workflow.execute<typeof generateClipsWorkflow>(
        'generateClipsWorkflow',
        parentOptions(input, taskQueue),
      ),
    );

    const fallbacks = result.clips.filter((clip) => clip.fallbackUsed);
    expect(fallbacks).toHaveLength(3);
    expect(fallbacks.every((clip) => clip.model === 'cogvideox')).toBe(true);
    expect(result.clips.filter((clip) => !clip.fallbackUsed && clip.model === 'svd')).toHaveLength(3);
    expect(result.failed.map((failed) => failed.failureType).sort()).toEqual([
      'GenerationError',
      'GenerationError',
      'InvalidInput',
      'Timeout',
      'Timeout',
    ]);
    // The malformed clip is refused by the parent itself: no child is started for it.
    expect(result.failed.find((failed) => failed.clipIndex === 10)).toMatchObject({ failureType: 'InvalidInput' });
    expect(result.failed.find((failed) => failed.clipIndex === 10)?.message).toMatch(/^clip\.duration/);
    for (const failed of result.failed.filter((record) => record.clipIndex !== 10)) {
      expect(failed).toMatchObject({ status: 'failed', retryable: false });
      expect(failed.workflowId).toBe(clipWorkflowId(input.jobId, failed.clipIndex));
    }
    const indexes = [...result.clips, ...result.failed].map((clip) => clip.clipIndex).sort((a, b) => a - b);
    expect(indexes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // 3 refused creates make no prediction: 7 on SVD (3 succeeded, 2 failed, 2 timed out), 3 on the fallback.
    expect(harness.created(SVD) - svdBefore).toBe(7);
    expect(harness.created(COGVIDEOX) - cogBefore).toBe(3);
    expect(harness.simulator.stats().running).toBe(0);

    // The ledger also books what the failed and timed-out predictions cost; bookedUsd counts them too.
    const rows = await harness.ledger.listClipCosts(input.jobId);
    const clipRows = rows.filter((row) => result.clips.some((clip) => clip.predictionId === row.predictionId));
    expect(clipRows.map((row) => row.amountUsd).reduce((sum, amount) => addUsd(sum, amount), '0')).toBe(
      result.clips.reduce((sum, clip) => addUsd(sum, clip.cost), '0'),
    );
    expect(clipRows).toHaveLength(6);
    expect(rows.filter((row) => !clipRows.includes(row)).map((row) => row.predictionStatus)).not.toContain('succeeded');
    const rowsTotal = rows.reduce((sum, row) => addUsd(sum, row.amountUsd), '0');
    expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(rowsTotal);
    expect(result.bookedUsd).toBe(rowsTotal);
    // Each failed clip's record lists exactly the ledger rows of its clip.
    for (const failed of result.failed) {
      const own = rows.filter((row) => row.clipIndex === failed.clipIndex).map((row) => row.predictionId);
      expect((failed.bookings?.predictions ?? []).map((booking) => booking.predictionId).sort()).toEqual(own.sort());
    }
  });

  it('starts each child under the canonical (lowercase) job id, whatever case the parent was given', async () => {
    const jobId = randomUUID();
    const input: GenerateClipsInput = { jobId: jobId.toUpperCase(), clips: imageClips(harness, 1) };
    const { worker, taskQueue } = await harness.worker();

    const result = await worker.runUntil(
      harness.env.client.workflow.execute<typeof generateClipsWorkflow>(
        'generateClipsWorkflow',
        parentOptions(input, taskQueue),
      ),
    );

    expect(result.failed).toEqual([]);
    expect(result.clips[0].storagePath).toContain(`/${jobId}/`);
    const child = await harness.env.client.workflow.getHandle(clipWorkflowId(jobId, 0)).describe();
    expect(child.workflowId).toBe(`clip-${jobId}-0`);
    expect(child.parentExecution?.workflowId).toBe(parentOptions(input, taskQueue).workflowId);
  });
});
