import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { planClip } from '../../src/domain/catalogue';
import type { generateClipWorkflow } from '../../src/workflows';
import { useClipHarness } from './harness';
import { workflowFailureOf } from '../helpers/failures';

jest.setTimeout(120_000);

const harness = useClipHarness();

describe('generateClipWorkflow on the simulator', () => {
  it('turns an image prompt into a stored, probed SVD clip whose cost is booked once', async () => {
    const input = harness.input({ duration: 3 });
    const plan = planClip('svd', input.clip);

    const clip = await harness.runAndRecord(input, 'success-svd');

    expect(clip).toMatchObject({ status: 'success', model: 'svd', fallbackUsed: false, targetDuration: 3 });
    expect(Math.abs(clip.actualDuration - plan.plannedDuration)).toBeLessThan(0.05);
    expect(Math.abs(clip.actualDuration - 3)).toBeLessThanOrEqual(2);
    expect(clip.video.codec).toBe('h264');
    expect(clip.storagePath).toBe(`video-clips/${input.jobId}/clip_0.mp4`);
    const file = fileURLToPath(clip.videoUrl);
    expect(fs.statSync(file).size).toBe(clip.video.bytes);

    const rows = await harness.ledger.listClipCosts(input.jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ predictionId: clip.predictionId, amountUsd: clip.cost, source: 'actual' });
    expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(clip.cost);
  });

  it('makes a text-only clip on CogVideoX', async () => {
    const input = harness.input({ duration: 6, imageUrl: undefined });

    const clip = await harness.run(input);

    expect(clip.model).toBe('cogvideox');
    expect(clip.actualDuration).toBeCloseTo(49 / 8, 1);
    expect(clip.video.fps).toBeCloseTo(8, 3);
  });

  it('switches to the fallback model when the primary is unavailable', async () => {
    harness.simulator.faults.add({ kind: 'model-unavailable', model: 'svd', times: 'always' });
    const input = harness.input({ duration: 4.5 });
    const svdBefore = harness.created('stability-ai/stable-video-diffusion');

    const clip = await harness.runAndRecord(input, 'fallback-cogvideox');

    expect(clip).toMatchObject({ model: 'cogvideox', fallbackUsed: true });
    expect(harness.created('stability-ai/stable-video-diffusion')).toBe(svdBefore);
  });

  it('does not fall back on a generation failure, though the fallback model could make the clip', async () => {
    harness.simulator.faults.add({
      kind: 'prediction-failed',
      model: 'svd',
      error: 'The input or output was flagged as sensitive. (E005)',
    });
    const cogBefore = harness.created('cuuupid/cogvideox-5b');
    // 4.5 s: within CogVideoX's reach (6.125 s), so only the rule keeps the fallback from running.
    const input = harness.input({ duration: 4.5 });
    expect(planClip('cogvideox', input.clip).plannedDuration).toBeCloseTo(6.125);

    const failure = await workflowFailureOf(harness.run(input));

    expect(failure.type).toBe('GenerationError');
    expect(failure.message).toContain('E005');
    expect(harness.created('cuuupid/cogvideox-5b')).toBe(cogBefore);
  });

  it('rejects bad input before anything is created or billed', async () => {
    const before = harness.simulator.stats().requests['POST /v1/predictions'] ?? 0;

    const failure = await workflowFailureOf(harness.run(harness.input({ duration: 30 })));

    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('clip.duration');
    expect(harness.simulator.stats().requests['POST /v1/predictions'] ?? 0).toBe(before);
  });

  it('refuses a start by hand under a clip workflow id whose job id is not canonical, before creating anything', async () => {
    const input = harness.input();
    const { worker, taskQueue } = await harness.worker();
    const before = harness.created('stability-ai/stable-video-diffusion');
    const upperCaseId = `clip-${input.jobId.toUpperCase()}-0`;

    const failure = await workflowFailureOf(
      worker.runUntil(
        harness.env.client.workflow.execute<typeof generateClipWorkflow>('generateClipWorkflow', {
          ...clipWorkflowOptions({ ...input, jobId: input.jobId.toUpperCase() }, taskQueue),
          workflowId: upperCaseId,
        }),
      ),
    );

    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain(`start job ${input.jobId}, clip 0 as clip-${input.jobId}-0`);
    expect(harness.created('stability-ai/stable-video-diffusion')).toBe(before);
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  });

  it('stops at the budget before creating a prediction', async () => {
    const input = harness.input();
    await harness.ledger.ensureJob(input.jobId, '0.000001');
    const before = harness.created('stability-ai/stable-video-diffusion');

    const failure = await workflowFailureOf(harness.run(input));

    expect(failure.type).toBe('BudgetExceeded');
    expect(harness.created('stability-ai/stable-video-diffusion')).toBe(before);
  });

  it('fails at once with AuthenticationError when Replicate rejects the token', async () => {
    harness.simulator.faults.add({ kind: 'http-error', status: 401, times: 'always' });
    const creates = () => harness.simulator.stats().requests['POST /v1/predictions'] ?? 0;
    const before = creates();

    const failure = await workflowFailureOf(harness.run(harness.input()));

    expect(failure.type).toBe('AuthenticationError');
    expect(creates() - before).toBe(1);
  });
});
