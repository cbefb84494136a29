import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { buildWorkflowBundle } from '../../src/scripts/build-workflow-bundle';
import { createClipWorker, workflowSource, WORKFLOWS_PATH } from '../../src/worker';
import type { generateClipWorkflow } from '../../src/workflows';
import { ClipHarness } from '../workflows/harness';

jest.setTimeout(120_000);

let harness: ClipHarness;
let dir: string;

beforeAll(async () => {
  harness = await ClipHarness.start();
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-bundle-'));
});

afterAll(async () => {
  await harness?.close();
  await fs.promises.rm(dir, { recursive: true, force: true });
});

/** What `npm run build` does for production workers, and what a NODE_ENV=production worker loads. */
describe('prebuilt workflow bundle', () => {
  it('is written by the build script and runs a clip in a worker tuned from config', async () => {
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    const bytes = await buildWorkflowBundle(bundlePath);
    expect(fs.statSync(bundlePath).size).toBe(bytes);

    const taskQueue = 'prebuilt-bundle';
    const worker = await createClipWorker({
      connection: harness.env.nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: harness.deps,
      bundlePath,
      tuning: {
        workflowBundle: 'prebuilt',
        maxConcurrentActivities: 7,
        maxConcurrentWorkflowTasks: 9,
        maxActivitiesPerSecond: 50,
        maxTaskQueueActivitiesPerSecond: 40,
        workflowThreads: 2,
        maxCachedWorkflows: 30,
        shutdownGraceTime: '12s',
      },
    });
    expect(worker.options).toMatchObject({
      workflowThreadPoolSize: 2,
      maxCachedWorkflows: 30,
      shutdownGraceTimeMs: 12_000,
      maxActivitiesPerSecond: 50,
      maxTaskQueueActivitiesPerSecond: 40,
    });

    const input = harness.input();
    const clip = await worker.runUntil(
      harness.env.client.workflow.execute<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(input, taskQueue),
      ),
    );

    expect(clip).toMatchObject({ clipIndex: 0, status: 'success', model: 'svd' });
  });

  it('outside production, is loaded when the build left one beside the code, and bundled on start when not', () => {
    const bundlePath = path.join(dir, 'left-by-a-build.js');
    fs.writeFileSync(bundlePath, '// a bundle');
    expect(workflowSource('prebuilt-if-present', bundlePath)).toEqual({
      workflowBundle: { codePath: bundlePath },
      workflowModules: [],
    });
    expect(workflowSource('prebuilt-if-present', path.join(dir, 'missing.js'))).toMatchObject({
      workflowsPath: WORKFLOWS_PATH,
    });
    expect(workflowSource('bundle-on-start', bundlePath)).toMatchObject({ workflowsPath: WORKFLOWS_PATH });
  });

  it('is required in production mode, with a message that says how to build it', async () => {
    await expect(
      createClipWorker({
        connection: harness.env.nativeConnection,
        namespace: 'default',
        taskQueue: 'never-polled',
        deps: harness.deps,
        bundlePath: path.join(dir, 'missing.js'),
        tuning: { workflowBundle: 'prebuilt' },
      }),
    ).rejects.toThrow(/NODE_ENV=production needs the workflow bundle .*missing\.js: run `npm run build` first/);
  });
});
