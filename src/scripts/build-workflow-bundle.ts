import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { PREBUILT_BUNDLE_PATH, WORKFLOWS_PATH, WORKFLOW_INTERCEPTOR_MODULES } from '../worker';

/** Bundles the workflows (and their interceptors) for production workers; `npm run build` runs it. */
export async function buildWorkflowBundle(outFile: string = PREBUILT_BUNDLE_PATH): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  await fs.promises.mkdir(path.dirname(outFile), { recursive: true });
  await fs.promises.writeFile(outFile, code);
  return Buffer.byteLength(code);
}

if (require.main === module) {
  const outFile = process.argv[2] ? path.resolve(process.argv[2]) : PREBUILT_BUNDLE_PATH;
  buildWorkflowBundle(outFile).then(
    (bytes) => console.log(`Workflow bundle written to ${outFile} (${(bytes / 1024).toFixed(0)} KiB)`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
