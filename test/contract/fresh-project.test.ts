/**
 * The documented parent example (the `contract:parent-example` block of docs/parent-contract.md), as Part 3 would
 * use it: copied verbatim into a fresh TypeScript project that installs clipgen with `npm install <path>`, compiled
 * there with `tsc`, then run on its own task queue with its own worker, its clips started as children on
 * `video-generator` and run by a clipgen worker: Part 3 and Part 2 as separate workers, as deployed.
 *
 * The installed package is clipgen staged as `npm ci` builds it: package.json as it is, the public entry built to
 * lib/ with its declaration files by the build's own step (emitPublicEntry, from the current sources, so a stale lib/
 * cannot hide a broken contract), schemas/; its node_modules is a symlink to this checkout's, so nothing is
 * downloaded. `npm install --install-links=false --offline --ignore-scripts` links it (no copy, no network, no
 * `prepare`); @temporalio/workflow, which any parent has, is linked from this checkout the same way.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE, FailureType, clipWorkflowId, type Clip, type FailedClip } from '../../src';
import { emitPublicEntry } from '../../src/scripts/build-declarations';
import { workflowBundle } from '../helpers/workflow-bundle';
import { useClipHarness } from '../workflows/harness';
import { ROOT, cleanEnv, documentedBlock } from './readme-blocks';
import { schemaErrors, schemaValidator } from './schema-validator';

jest.setTimeout(240_000);

const execFileAsync = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Part 3's own task queue: its worker knows only its own workflows. */
const PARENT_QUEUE = 'part3-assembly';

const harness = useClipHarness('dev');

interface Step {
  ok: boolean;
  output: string;
  ms: number;
}

async function step(file: string, args: string[], cwd: string): Promise<Step> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd, env: cleanEnv(), timeout: 120_000 });
    return { ok: true, output: `${stdout}${stderr}`, ms: Date.now() - started };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    return {
      ok: false,
      output: `${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`,
      ms: Date.now() - started,
    };
  }
}

/** Compiles only if clipgen's types are really there: each line must be an error, or tsc reports the directive. */
const TYPE_PROBES = `import { executeChild } from '@temporalio/workflow';
import { FailureType, clipWorkflowId, type Clip, type GenerateClipWorkflow } from 'clipgen';

export async function probes(): Promise<void> {
  // @ts-expect-error the input needs its clip
  await executeChild<GenerateClipWorkflow>('generateClipWorkflow', { args: [{ jobId: 'j' }] });
  const clip = await executeChild<GenerateClipWorkflow>('generateClipWorkflow', {
    args: [{ jobId: 'j', clip: { clipIndex: 0, prompt: 'p', duration: 4 } }],
  });
  // @ts-expect-error a Clip's cost is a decimal string
  const cost: number = clip.cost;
  const booked: Clip['bookings']['predictions'][number]['amountUsd'] = clip.bookings.totalUsd;
  // @ts-expect-error clipWorkflowId takes the job id and the clip index
  clipWorkflowId(0);
  const timeout: 'Timeout' = FailureType.Timeout;
  void [cost, booked, timeout];
}
`;

const DEEP_IMPORT_PROBE = `// @ts-expect-error only the package's entry is exported
import type { generateClipWorkflow } from 'clipgen/lib/workflows';
export type Deep = typeof generateClipWorkflow;
`;

describe('the documented parent example in a fresh project', () => {
  let dir: string;
  let app: string;
  const steps: Record<string, Step> = {};

  beforeAll(async () => {
    // clipgen's workflow bundle (for its worker) builds meanwhile.
    workflowBundle().catch(() => undefined);
    dir = await mkdtemp(path.join(os.tmpdir(), 'clipgen-fresh-project-'));
    const pkg = path.join(dir, 'clipgen');
    app = path.join(dir, 'part3');
    await mkdir(pkg);
    await mkdir(path.join(app, 'src'), { recursive: true });

    await cp(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    await cp(path.join(ROOT, 'schemas'), path.join(pkg, 'schemas'), { recursive: true });
    emitPublicEntry(path.join(pkg, 'lib'), false);
    await symlink(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');

    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'part3', version: '0.0.0', private: true }));
    // As @tsconfig/node20 (what Temporal's samples extend): node16 modules, which honour `exports` and refuse deep
    // imports. Then, without emitting, the classic `node` resolution, which reads `types` and `main`.
    const compilerOptions = {
      target: 'ES2022',
      strict: true,
      skipLibCheck: true,
      types: ['node'],
      rootDir: 'src',
      outDir: 'lib',
    };
    await writeFile(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' } }),
    );
    await writeFile(
      path.join(app, 'tsconfig.node10.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: 'commonjs', moduleResolution: 'node', noEmit: true },
        exclude: ['src/deep-import.ts'],
      }),
    );
    const example = documentedBlock('parent-example');
    expect(example.language).toBe('ts');
    await writeFile(path.join(app, 'src', 'parent.ts'), example.code);
    await writeFile(path.join(app, 'src', 'type-probes.ts'), TYPE_PROBES);
    await writeFile(path.join(app, 'src', 'deep-import.ts'), DEEP_IMPORT_PROBE);

    steps.install = await step(
      'npm',
      [
        'install',
        '--install-links=false',
        '--offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        pkg,
        path.join(pkg, 'node_modules', '@temporalio', 'workflow'),
        path.join(pkg, 'node_modules', '@types', 'node'),
      ],
      app,
    );
    if (steps.install.ok) {
      [steps.tsc, steps.tscNode10] = await Promise.all([
        step(process.execPath, [TSC, '-p', 'tsconfig.json'], app),
        step(process.execPath, [TSC, '-p', 'tsconfig.node10.json'], app),
      ]);
    }
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs clipgen with npm install <path>, offline, as a link', async () => {
    expect(steps.install).toMatchObject({ ok: true });
    // Every file `exports` names is one that a packed clipgen ships (npm always ships package.json).
    const clipgen = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
      files: string[];
    };
    const targets = Object.values(clipgen.exports)
      .flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))
      .map((target) => path.posix.normalize(target));
    const shipped = (file: string) =>
      file === 'package.json' || clipgen.files.some((entry) => file === entry || file.startsWith(`${entry}/`));
    expect(targets.filter((file) => !shipped(file))).toEqual([]);
    expect(targets).toEqual(expect.arrayContaining(['lib/src/index.js', 'lib/src/index.d.ts', 'schemas/clip.json']));
    const manifest = JSON.parse(await readFile(path.join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies.clipgen).toBe('file:../clipgen');
  });

  it('compiles as written, with clipgen typed through its exports (node16) and its types field (node10)', () => {
    expect({ tsc: steps.tsc?.ok, output: steps.tsc?.output }).toEqual({ tsc: true, output: '' });
    expect({ tsc: steps.tscNode10?.ok, output: steps.tscNode10?.output }).toEqual({ tsc: true, output: '' });
  });

  it("runs on Part 3's own task queue, its clips on video-generator served by a clipgen worker", async () => {
    const parentBundle = await bundleWorkflowCode({
      workflowsPath: path.join(app, 'lib', 'parent.js'),
      logger: new DefaultLogger('WARN'),
    });
    const { worker: clipgenWorker } = await harness.worker(undefined, DEFAULT_TASK_QUEUE);
    const parentWorker = await Worker.create({
      connection: harness.env.nativeConnection,
      taskQueue: PARENT_QUEUE,
      workflowBundle: parentBundle,
    });
    // The text clip runs on CogVideoX, whose prediction fails after it ran: a failed clip that booked its run.
    harness.simulator.faults.add({
      kind: 'prediction-failed',
      model: 'cogvideox',
      error: 'The input or output was flagged as sensitive. (E005)',
    });
    const jobId = randomUUID();
    const prompts = [
      { clipIndex: 0, prompt: 'shot 0: a lighthouse in a storm', duration: 3, imageUrl: harness.imageUrl },
      { clipIndex: 1, prompt: 'shot 1: a paper boat in the rain', duration: 6 },
    ];
    const parentId = `assemble-${jobId}`;

    const result = await clipgenWorker.runUntil(
      parentWorker.runUntil(
        harness.env.client.workflow.execute<
          (jobId: string, prompts: unknown[]) => Promise<{ clips: Clip[]; failed: FailedClip[] }>
        >('assembleClips', { taskQueue: PARENT_QUEUE, workflowId: parentId, args: [jobId, prompts] }),
      ),
    );

    expect(result.clips).toHaveLength(1);
    expect(result.clips[0]).toMatchObject({ clipIndex: 0, status: 'success', model: 'svd' });
    expect(schemaErrors(schemaValidator('clip.json'), result.clips[0])).toEqual([]);
    expect(result.failed).toEqual([
      {
        clipIndex: 1,
        status: 'failed',
        failureType: FailureType.Generation,
        message: expect.stringContaining('E005'),
        retryable: false,
        workflowId: clipWorkflowId(jobId, 1),
        bookings: { totalUsd: expect.any(String), predictions: [expect.objectContaining({ status: 'failed' })] },
      },
    ]);
    const rows = await harness.ledger.listClipCosts(jobId);
    expect(rows.find((row) => row.clipIndex === 1)?.amountUsd).toBe(result.failed[0].bookings?.totalUsd);

    const parent = await harness.env.client.workflow.getHandle(parentId).describe();
    expect(parent.taskQueue).toBe(PARENT_QUEUE);
    for (const clipIndex of [0, 1]) {
      const child = await harness.env.client.workflow.getHandle(clipWorkflowId(jobId, clipIndex)).describe();
      expect({ taskQueue: child.taskQueue, parent: child.parentExecution?.workflowId }).toEqual({
        taskQueue: DEFAULT_TASK_QUEUE,
        parent: parentId,
      });
    }
  });
});
