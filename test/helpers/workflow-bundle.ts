import { workflowInterceptorModules } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * Webpack-bundles workflow code once per path and test file (Jest gives each file its own module registry),
 * so every `Worker.create({ workflowBundle })` in the file reuses it. Defaults to `src/workflows`.
 * Node `assert` failures inside workflows fail the workflow instead of retrying its task forever.
 */
export function workflowBundle(
  workflowsPath = require.resolve('../../src/workflows'),
): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules,
      logger: new DefaultLogger('WARN'),
    });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}
