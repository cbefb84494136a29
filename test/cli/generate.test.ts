import { randomUUID } from 'node:crypto';
import { eventuallyAsync } from '../helpers/eventually';
import { useClipHarness } from '../workflow/harness';
import { CliProcess } from './cli-process';
import { lastLine, runCli } from './run-cli';

jest.setTimeout(120_000);

const harness = useClipHarness('dev');

/** `clipgen generate` against a real dev server, with a worker polling the task queue it names. */
describe('clipgen generate', () => {
  const taskQueue = `cli-${randomUUID()}`;
  const env = () => ({ TEMPORAL_ADDRESS: harness.env.address, TEMPORAL_TASK_QUEUE: taskQueue });

  it('starts clip-{jobId}-{clipIndex}, waits, and prints the Clip as the last line with --json', async () => {
    const jobId = randomUUID();
    const { worker } = await harness.worker(undefined, taskQueue);
    const args = ['generate', '--job-id', jobId, '--clip-index', '2', '--prompt', 'waves at night', '--duration', '3'];

    const result = await worker.runUntil(runCli([...args, '--image', harness.imageUrl, '--json'], env()));

    expect(result.code).toBe(0);
    const clip = JSON.parse(lastLine(result.stdout));
    expect(clip).toMatchObject({ clipIndex: 2, model: 'svd', status: 'success' });
    const described = await harness.env.client.workflow.getHandle(`clip-${jobId}-2`).describe();
    expect(described.status.name).toBe('COMPLETED');
  });

  it('exits non-zero with the failure type and message when the clip fails', async () => {
    const { worker } = await harness.worker(undefined, taskQueue);
    const args = ['generate', '--job-id', randomUUID(), '--prompt', 'waves', '--duration', '30', '--image'];

    const result = await worker.runUntil(runCli([...args, harness.imageUrl], env()));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/InvalidInput: clip\.duration 30 s is outside what svd can produce/);
  });

  it('is one clip whatever the case of --job-id: a second start names the clip already running', async () => {
    harness.simulator.faults.add({ kind: 'never-finish', model: 'svd' });
    const jobId = randomUUID();
    const workflowId = `clip-${jobId}-0`;
    const { worker } = await harness.worker(undefined, taskQueue);
    const args = ['generate', '--clip-index', '0', '--prompt', 'waves', '--duration', '3', '--image', harness.imageUrl];
    const predictionsBefore = harness.simulator.predictions().length;

    await worker.runUntil(async () => {
      const first = new CliProcess([...args, '--job-id', jobId.toUpperCase()], env());
      try {
        expect(await first.waitForLine(/Web UI: /)).toContain(`/workflows/${workflowId}`);
        await eventuallyAsync(async () => harness.simulator.predictions().length > predictionsBefore, 30_000);

        const second = await runCli([...args, '--job-id', jobId], env(), 30_000);

        expect(second.code).toBe(1);
        expect(second.stderr).toContain(`${workflowId} is already running`);
        expect(second.stderr).toContain(`clipgen watch ${workflowId}`);
        await harness.env.client.workflow.getHandle(workflowId).cancel();
        expect((await first.exited).code).toBe(1);
      } finally {
        await first.kill();
      }
    });
    expect(harness.simulator.predictions().length - predictionsBefore).toBe(1);
  });

  it('--fallback none without --model runs the default model with no fallback', async () => {
    harness.simulator.faults.add({ kind: 'model-unavailable', model: 'cogvideox', times: 'always' });
    const { worker } = await harness.worker(undefined, taskQueue);
    const args = ['generate', '--job-id', randomUUID(), '--prompt', 'waves at dawn', '--duration', '6'];

    const result = await worker.runUntil(runCli([...args, '--fallback', 'none'], env()));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ModelUnavailable: .*cogvideox/i);
    expect(harness.simulator.predictions().filter((prediction) => /hailuo/.test(prediction.model))).toEqual([]);
  });

  it.each([
    ['--model', ['--model', 'sora-9']],
    ['--fallback', ['--model', 'svd', '--fallback', 'veo']],
  ])('refuses an unknown model in %s as a usage mistake, naming the flag', async (flag, models) => {
    const args = ['generate', '--job-id', randomUUID(), '--prompt', 'waves', '--duration', '3', ...models];

    const result = await runCli(args, env());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${flag} must be one of svd, cogvideox, kling-v2.1, hailuo-02`);
  });

  it('explains a usage mistake with exit code 2', async () => {
    const result = await runCli(['generate', '--prompt', 'waves'], env());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--job-id is required');
  });
});
