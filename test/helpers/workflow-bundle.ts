import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workflowInterceptorModules } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
// Not public API: the one way to keep the SDK's stack-trace hooks off the test's thread (see inTestWorkflows).
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';

const ROOT = path.join(__dirname, '..', '..');
const DEFAULT_WORKFLOWS = require.resolve('../../src/workflows');
const bundles = new Map<string, Promise<WorkflowBundle>>();

/**
 * Webpack-bundles workflow code for `Worker.create({ workflowBundle })`, once per path and test file (Jest gives each
 * file its own module registry). Node `assert` failures inside workflows fail the workflow instead of retrying its
 * task forever.
 *
 * The default, `src/workflows`, is bundled once for every test file and worker of a run: the first file to need it
 * writes it to the temp folder under a key of the sources it can contain, and the others read it (a webpack run
 * costs seconds of CPU, and some thirty files need the same bundle).
 */
export function workflowBundle(workflowsPath = DEFAULT_WORKFLOWS): Promise<WorkflowBundle> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = workflowsPath === DEFAULT_WORKFLOWS ? sharedBundle() : bundleOf(workflowsPath);
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

/**
 * The workflow options of a worker created inside a test file: the bundle, with workflows run on the test's own thread
 * (`debugMode`). Otherwise each worker starts a thread that loads the SDK again, about 0.8 s of CPU, and the tests
 * create hundreds of workers. Workers started as processes (the CLI, the worker tests) keep the production threads.
 *
 * Without the SDK's stack-trace hooks. To answer the stack-trace query (the Web UI's Stack Trace tab, which no test
 * reads), a worker installs a promise hook that records a stack trace for every promise a workflow makes, and
 * rewrites workflow stack traces through the bundle's source map. On a workflow thread they die with it; on the
 * test's own thread, in a Jest worker that runs file after file with a fresh copy of the SDK each, they were never
 * removed: each file's hook ran for every promise of every file after it, and each of them formatted a stack through
 * Jest's source maps. A warm `npx jest` took 600 s of CPU with them, 466 s without (docs/testing.md). Marking them
 * installed keeps them off; a workflow's failures still carry their (unmapped) stacks.
 */
export async function inTestWorkflows(
  workflowsPath = DEFAULT_WORKFLOWS,
): Promise<Required<Pick<WorkerOptions, 'workflowBundle' | 'debugMode'>>> {
  globalHandlers.installed = true;
  return { workflowBundle: await workflowBundle(workflowsPath), debugMode: true };
}

function bundleOf(workflowsPath: string): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: new DefaultLogger('WARN') });
}

async function sharedBundle(): Promise<WorkflowBundle> {
  const key = sourceKey();
  const target = path.join(os.tmpdir(), `clipgen-test-workflows-${key}.js`);
  const cached = await readIfPresent(target);
  if (cached !== null) return { code: cached };
  const { code } = await bundleOf(DEFAULT_WORKFLOWS);
  // Sources edited while webpack read them (a hand mutation, an editor's save) would be filed under the old key.
  if (sourceKey() !== key) return { code };
  // Written whole under a private name, then renamed: a file reading it never sees half a bundle.
  const partial = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await fs.promises.writeFile(partial, code);
  await fs.promises.rename(partial, target);
  return { code };
}

/**
 * A key of everything built from these folders can contain: their TypeScript sources (hashing all of src/ for the
 * workflows costs a millisecond and cannot miss an import), the locked dependency versions and the testing
 * interceptors.
 */
export function sourceKey(dirs: string[] = ['src']): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    const files = fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).sort();
    for (const file of files) {
      if (!file.endsWith('.ts')) continue;
      hash
        .update(path.join(dir, file))
        .update('\0')
        .update(fs.readFileSync(path.join(ROOT, dir, file)))
        .update('\0');
    }
  }
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  hash.update(JSON.stringify(workflowInterceptorModules));
  return hash.digest('hex').slice(0, 24);
}

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
