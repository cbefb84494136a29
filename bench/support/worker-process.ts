/**
 * A clipgen worker in its own process, so its CPU time and memory can be measured on their own. Configured by
 * environment variables exactly like `clipgen worker` (it runs runWorker), or, with BENCH_WORKFLOWS_PATH, a worker
 * with the real activities and that module's workflows. Answers 'usage' and 'reset' messages over IPC.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { loadConfig, type ClipgenConfig } from '../../src/config';
import { openActivityDeps } from '../../src/dependencies';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { installRuntimeLogger } from '../../src/temporal/runtime-logger';
import { runWorker } from '../../src/worker';

export interface WorkerUsage {
  /** User + system CPU time of the whole process (JS and the SDK's Rust core threads), ms. */
  cpuMs: number;
  rssBytes: number;
  /** Highest RSS sampled since the last reset. */
  peakRssBytes: number;
}

const sampleMs = Number(process.env.BENCH_RSS_SAMPLE_MS ?? 100);
let peakRssBytes = process.memoryUsage.rss();
setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
}, sampleMs).unref();

process.on('message', (message) => {
  if (message === 'reset') {
    // Startup garbage (webpack's bundling) must not count as the workload's memory.
    (globalThis as { gc?: () => void }).gc?.();
    peakRssBytes = process.memoryUsage.rss();
  }
  const cpu = process.cpuUsage();
  const usage: WorkerUsage = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: process.memoryUsage.rss(),
    peakRssBytes: Math.max(peakRssBytes, process.memoryUsage.rss()),
  };
  process.send?.(usage);
});

async function runBenchWorkflowsWorker(config: ClipgenConfig, workflowsPath: string): Promise<void> {
  installRuntimeLogger(config.worker.logLevel);
  const opened = await openActivityDeps(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowsPath,
      activities: createActivities(opened.deps),
    });
    await worker.run();
  } finally {
    await connection.close();
    await opened.close();
  }
}

const config = loadConfig(process.env);
const workflowsPath = process.env.BENCH_WORKFLOWS_PATH;
(workflowsPath ? runBenchWorkflowsWorker(config, workflowsPath) : runWorker(config)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
