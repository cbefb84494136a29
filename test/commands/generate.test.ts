import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GenerateClipInput } from '../../src/domain/types';
import { eventuallyAsync } from '../helpers/eventually';
import { useClipHarness } from '../workflows/harness';
import { CliProcess } from './cli-process';
import { runCli } from './run-cli';

jest.setTimeout(120_000);

/** The simulator's clock runs this far ahead of the machine's: a test moves it to end a cold boot when it chooses. */
let simulatorSkewMs = 0;
const harness = useClipHarness('dev', { simulator: { now: () => Date.now() + simulatorSkewMs } });

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
    const clip = JSON.parse(result.stdout);
    expect(result.stdout).toBe(`${JSON.stringify(clip)}\n`);
    expect(clip).toMatchObject({ clipIndex: 2, model: 'svd', status: 'success' });
    const described = await harness.env.client.workflow.getHandle(`clip-${jobId}-2`).describe();
    expect(described.status.name).toBe('COMPLETED');
  });

  /** The input the clip's workflow was started with, from its history. */
  async function startedInput(workflowId: string): Promise<GenerateClipInput> {
    const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    return JSON.parse(Buffer.from(payload?.data ?? []).toString());
  }

  it('passes settings, negative prompt, seed, deadline and poll interval from flags to the clip', async () => {
    const jobId = randomUUID();
    const { worker } = await harness.worker(undefined, taskQueue);
    const args = ['generate', '--job-id', jobId, '--prompt', 'waves', '--duration', '3', '--image', harness.imageUrl];
    const flags = ['--negative-prompt', 'blurry', '--seed', '42', '--settings', '{"motion": 90, "fps": 6}'];
    const more = ['--fps', '7', '--cond-aug', '0.05', '--deadline', '90s', '--start-limit', '10m'];

    const result = await worker.runUntil(
      runCli([...args, ...flags, ...more, '--poll-interval', '500', '--json'], env()),
    );

    expect(result.code).toBe(0);
    expect(await startedInput(`clip-${jobId}-0`)).toEqual({
      jobId,
      clip: { clipIndex: 0, prompt: 'waves', negativePrompt: 'blurry', duration: 3, imageUrl: harness.imageUrl },
      settings: { seed: 42, motion: 90, fps: 7, condAug: 0.05 },
      deadline: '90s',
      startLimit: '10m',
      pollInterval: 500,
    });
    const prediction = harness.simulator.predictions().find((candidate) => candidate.input.seed === 42);
    expect(prediction?.input).toMatchObject({ motion_bucket_id: 90, frames_per_second: 7, cond_aug: 0.05 });
  });

  it('--input FILE.json takes a whole input, and flags replace its fields', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-input-'));
    try {
      const jobId = randomUUID();
      const file = path.join(dir, 'clip.json');
      const input = {
        jobId,
        clip: { clipIndex: 4, prompt: 'a lighthouse', duration: 3, imageUrl: harness.imageUrl },
        models: { primary: 'svd', fallback: 'cogvideox' },
        settings: { seed: 7, motion: 40 },
        environment: 'development',
      };
      await fs.promises.writeFile(file, JSON.stringify(input));
      const { worker } = await harness.worker(undefined, taskQueue);

      const result = await worker.runUntil(
        runCli(['generate', '--input', file, '--prompt', 'a lighthouse at dawn', '--motion', '60', '--json'], env()),
      );

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ clipIndex: 4, model: 'svd' });
      expect(await startedInput(`clip-${jobId}-4`)).toEqual({
        ...input,
        clip: { ...input.clip, prompt: 'a lighthouse at dawn' },
        settings: { seed: 7, motion: 60 },
      });
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('--attach follows the clip already running instead of failing; the clip is made once', async () => {
    // A cold boot keeps the first clip running until the second command has attached; then the clock ends it.
    harness.simulator.faults.add({ kind: 'cold-boot', seconds: 600 });
    const jobId = randomUUID();
    const workflowId = `clip-${jobId}-0`;
    const { worker } = await harness.worker(undefined, taskQueue);
    const args = ['generate', '--job-id', jobId, '--prompt', 'waves', '--duration', '3', '--image', harness.imageUrl];
    const predictionsBefore = harness.simulator.predictions().length;

    const [first, attached] = await worker.runUntil(async () => {
      const started = new CliProcess([...args, '--json'], env());
      let second: CliProcess | undefined;
      try {
        await started.waitForLine(/Web UI: /);
        second = new CliProcess([...args, '--attach', '--json'], env());
        await second.waitForLine(/already running; following it/);
        simulatorSkewMs += 600_000;
        const firstExit = await started.exited;
        const secondExit = await second.exited;
        return [
          { ...firstExit, stdout: started.stdout },
          { ...secondExit, stdout: second.stdout, stderr: second.stderr },
        ];
      } finally {
        await Promise.all([started.kill(), second?.kill()]);
      }
    });

    expect(attached.code).toBe(0);
    expect(attached.stderr).toContain(`${workflowId} is already running; following it (--attach)`);
    expect(first.code).toBe(0);
    expect(attached.stdout).toBe(first.stdout);
    expect(harness.simulator.predictions().length - predictionsBefore).toBe(1);
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
        expect(second.stderr).toContain('--attach');
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
