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
  /**
   * The main thread's JavaScript heap (activities, the SDK's client side, the webhook receiver) and the memory its
   * objects hold outside it (buffers). The rest of the RSS is native: the workflow thread's own heap, the SDK's Rust
   * core, code.
   */
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

const sampleMs = Number(process.env.BENCH_RSS_SAMPLE_MS ?? 100);
let peakRssBytes = process.memoryUsage.rss();
setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
}, sampleMs).unref();

/** 'usage'; 'gc-usage' collects the main thread's garbage first; 'reset' also restarts the peak sampling. */
process.on('message', (message) => {
  if (message === 'reset' || message === 'gc-usage') (globalThis as { gc?: () => void }).gc?.();
  // Startup garbage (webpack's bundling) must not count as the workload's memory.
  if (message === 'reset') peakRssBytes = process.memoryUsage.rss();
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const usage: WorkerUsage = {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: memory.rss,
    peakRssBytes: Math.max(peakRssBytes, memory.rss),
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
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
