import { randomUUID } from 'node:crypto';
import { useClipHarness } from '../workflow/harness';
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

  it('explains a usage mistake with exit code 2', async () => {
    const result = await runCli(['generate', '--prompt', 'waves'], env());

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--job-id is required');
  });
});
