import fs from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import type { WorkerTuning } from '../config';

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** Workflow interceptors: bundled in by `npm run build`, or loaded by a worker that bundles on start. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./workflow-log-attributes')];
/** Where `npm run build` writes the workflow bundle: lib/workflow-bundle.js. */
export const PREBUILT_BUNDLE_PATH = path.join(__dirname, '..', 'workflow-bundle.js');

type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> & { workflowModules: string[] };

/**
 * Production loads the bundle built ahead of time (a worker starts in about a second, and runs exactly the code that
 * was built and tested); development bundles src/workflows with webpack on every start.
 */
export function workflowSource(
  mode: WorkerTuning['workflowBundle'],
  bundlePath: string = PREBUILT_BUNDLE_PATH,
): WorkflowSource {
  if (mode === 'bundle-on-start') {
    return { workflowsPath: WORKFLOWS_PATH, workflowModules: WORKFLOW_INTERCEPTOR_MODULES };
  }
  if (!fs.existsSync(bundlePath)) {
    throw new Error(
      `NODE_ENV=production needs the workflow bundle ${bundlePath}: run \`npm run build\` first ` +
        '(or unset NODE_ENV to bundle workflows on start).',
    );
  }
  return { workflowBundle: { codePath: bundlePath }, workflowModules: [] };
}
