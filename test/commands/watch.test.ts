import { randomUUID } from 'node:crypto';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import type { generateClipWorkflow } from '../../src/workflows';
import { useClipHarness } from '../workflows/harness';
import { CliProcess } from './cli-process';
import { runCli } from './run-cli';

jest.setTimeout(120_000);

const harness = useClipHarness('dev');

/** `clipgen watch` attaches to a clip someone else started, on a real dev server. */
describe('clipgen watch', () => {
  const env = () => ({ TEMPORAL_ADDRESS: harness.env.address, TEMPORAL_UI_URL: 'http://ui.example:8080/' });

  it('follows a running clip to its end, prints its Web UI link and progress, then only the Clip with --json', async () => {
    const { worker, taskQueue } = await harness.worker();
    const input = harness.input({ clipIndex: 1 });
    const { workflowId } = clipWorkflowOptions(input, taskQueue);

    // The clip waits for a worker until watch has attached to it, however long watch takes to start.
    const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, taskQueue),
    );
    const watch = new CliProcess(['watch', workflowId, '--json'], env());
    const result = await (async () => {
      try {
        await watch.waitForLine(new RegExp(`${workflowId}: running`));
        const clip = await worker.runUntil(handle.result());
        const exit = await watch.exited;
        return { watched: { ...exit, stdout: watch.stdout, stderr: watch.stderr }, clip };
      } finally {
        await watch.kill();
      }
    })();

    expect(result.watched.code).toBe(0);
    expect(result.watched.stdout.trimEnd().split('\n')).toEqual([JSON.stringify(result.clip)]);
    expect(result.watched.stderr).toContain(
      `Web UI: http://ui.example:8080/namespaces/default/workflows/${workflowId}`,
    );
    expect(result.watched.stderr).toContain(`${workflowId}: running`);
    expect(result.watched.stderr).toMatch(/^ {2}waiting-for-prediction · svd · (starting|processing)/m);
  });

  it('exits 1 with the failure type and message of a failed clip, found whatever the case of its job id', async () => {
    const { worker, taskQueue } = await harness.worker();
    const input = harness.input({ duration: 30 });
    const { workflowId } = clipWorkflowOptions(input, taskQueue);
    await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(input, taskQueue),
      );
      await handle.result().catch(() => undefined);
    });

    const watched = await runCli(['watch', `clip-${input.jobId.toUpperCase()}-${input.clip.clipIndex}`], env());

    expect(watched.code).toBe(1);
    expect(watched.stdout).toBe('');
    expect(watched.stderr).toContain(`${workflowId}: failed`);
    expect(watched.stderr).toMatch(/InvalidInput: clip\.duration 30 s is outside what svd can produce/);
  });

  it('says so when there is no such workflow, and needs exactly one id', async () => {
    const missing = await runCli(['watch', `clip-${randomUUID()}-0`], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/i);

    const usage = await runCli(['watch'], env());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: clipgen watch WORKFLOW_ID');
  });
});
