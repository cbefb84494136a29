/**
 * A clipgen worker in its own process, for tests that SIGKILL it: `tsx worker-process.ts`. It is configured like the
 * production worker, from the environment only (loadConfig, openActivityDeps, createClipWorker), and loads the
 * workflow bundle at CLIPGEN_TEST_WORKFLOW_BUNDLE so that a restart takes about a second instead of a webpack run.
 * It prints WORKER_READY once it polls, and stops cleanly on SIGTERM (the SDK's shutdown signal).
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../../src/config';
import { openActivityDeps } from '../../../src/dependencies';
import { installRuntimeLogger } from '../../../src/temporal/runtime-logger';
import { createClipWorker } from '../../../src/worker';

export const WORKER_READY = 'clipgen-test-worker-ready';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  installRuntimeLogger(config.worker.logLevel);
  const opened = await openActivityDeps(config);
  try {
    const connection = await NativeConnection.connect({ address: config.temporal.address ?? 'localhost:7233' });
    try {
      const worker = await createClipWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deps: opened.deps,
        tuning: { ...config.worker, workflowBundle: 'prebuilt', shutdownGraceTime: '1s' },
        bundlePath: requiredEnv('CLIPGEN_TEST_WORKFLOW_BUNDLE'),
      });
      process.stdout.write(`${WORKER_READY}\n`);
      await worker.run();
    } finally {
      await connection.close();
    }
  } finally {
    await opened.close();
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
