import { randomUUID } from 'node:crypto';
import { clipWorkflowOptions } from '../../src/client/clip-workflow-options';
import type { generateClipWorkflow } from '../../src/workflows';
import { useClipHarness } from '../workflow/harness';
import { runCli } from './run-cli';

jest.setTimeout(120_000);

const harness = useClipHarness('dev');

/** `clipgen watch` attaches to a clip someone else started, on a real dev server. */
describe('clipgen watch', () => {
  const env = () => ({ TEMPORAL_ADDRESS: harness.env.address, TEMPORAL_UI_URL: 'http://ui.example:8080/' });

  it('follows a running clip to its end, prints its Web UI link and progress, then only the Clip with --json', async () => {
    const { worker, taskQueue } = await harness.worker();
    // Slow polls keep the clip running while watch attaches.
    harness.simulator.faults.add({ kind: 'delay', ms: 1500, route: 'get', times: 2 });
    const input = harness.input({ clipIndex: 1 });
    const { workflowId } = clipWorkflowOptions(input, taskQueue);

    const result = await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(input, taskQueue),
      );
      const watched = await runCli(['watch', workflowId, '--json'], env());
      expect(await handle.describe()).toMatchObject({ status: { name: 'COMPLETED' } });
      return { watched, clip: await handle.result() };
    });

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
