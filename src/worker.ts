import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { loadConfig, type ClipgenConfig, type WorkerTuning } from './config';
import { openActivityDeps } from './dependencies';
import { temporalConnectionOptions } from './temporal/connection-options';
import { installRuntimeLogger } from './temporal/runtime-logger';
import { startConfiguredReceiver, type ConfiguredReceiver } from './webhooks/start-from-config';
import { activityLogAttributes } from './worker/activity-log-attributes';
import { workflowSource } from './worker/workflow-source';

export interface ClipWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Default: bundle on start, the SDK's default limits, a 30 s shutdown grace time. */
  tuning?: Partial<WorkerTuning>;
  /** Overrides where a 'prebuilt' worker finds its bundle (default lib/workflow-bundle.js). */
  bundlePath?: string;
}

/** A worker that runs generateClipWorkflow and its activities; log lines of a clip carry its jobId and clipIndex. */
export async function createClipWorker(options: ClipWorkerOptions): Promise<Worker> {
  const tuning = options.tuning ?? {};
  const { workflowModules, ...workflows } = workflowSource(
    tuning.workflowBundle ?? 'bundle-on-start',
    options.bundlePath,
  );
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflows,
    activities: createActivities(options.deps),
    interceptors: { activity: [activityLogAttributes], workflowModules },
    shutdownGraceTime: tuning.shutdownGraceTime ?? '30s',
    ...(tuning.maxConcurrentActivities ? { maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities } : {}),
    ...(tuning.maxConcurrentWorkflowTasks
      ? { maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks }
      : {}),
    ...(tuning.maxActivitiesPerSecond ? { maxActivitiesPerSecond: tuning.maxActivitiesPerSecond } : {}),
    ...(tuning.maxTaskQueueActivitiesPerSecond
      ? { maxTaskQueueActivitiesPerSecond: tuning.maxTaskQueueActivitiesPerSecond }
      : {}),
  });
}

/**
 * The production worker. Runs until SIGINT/SIGTERM (the SDK Runtime's shutdown signals): it then stops polling,
 * gives running activities WORKER_SHUTDOWN_GRACE_TIME to finish, and returns once they have.
 */
export async function runWorker(config: ClipgenConfig): Promise<void> {
  installRuntimeLogger(config.worker.logLevel);
  const logger = Runtime.instance().logger;
  const opened = await openActivityDeps(config);
  try {
    const connectionOptions = temporalConnectionOptions(config.temporal);
    const connection = await NativeConnection.connect(connectionOptions);
    let webhooks: ConfiguredReceiver | null = null;
    try {
      // Before the worker exists, so a receiver that cannot start (no secret, port taken) leaves nothing running.
      webhooks = config.webhooks.inWorker ? await startConfiguredReceiver(config) : null;
      const worker = await createClipWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deps: opened.deps,
        tuning: config.worker,
      });
      logger.info('clipgen worker ready', {
        address: connectionOptions.address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        workflowBundle: config.worker.workflowBundle,
        replicate: config.replicate.usingSimulator
          ? `simulator at ${config.replicate.baseUrl}`
          : config.replicate.baseUrl,
        ledger: config.ledger.databaseUrl ? 'postgres' : 'pglite',
        shutdownGraceTime: config.worker.shutdownGraceTime,
        webhooks: config.webhooks.publicUrl ? `via ${config.webhooks.publicUrl}` : 'off (polling)',
      });
      if (webhooks) logger.info('clipgen webhooks listening', { url: `${webhooks.receiver.url}/replicate` });
      await worker.run();
      logger.info('clipgen worker stopped');
    } finally {
      await webhooks?.close();
      await connection.close();
    }
  } finally {
    await opened.close();
  }
}

if (require.main === module) {
  runWorker(loadConfig()).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
