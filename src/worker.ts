import fs from 'node:fs';
import path from 'node:path';
import {
  NativeConnection,
  Runtime,
  Worker,
  type ActivityInterceptorsFactory,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { loadConfig, type ClipgenConfig, type WorkerTuning } from './config';
import { openActivityDeps } from './dependencies';
import { clipLogAttributes } from './domain/clip-identity';
import { temporalConnectionOptions } from './temporal/connection-options';
import { installRuntimeLogger } from './temporal/runtime-logger';
import { startConfiguredReceiver, type ConfiguredReceiver } from './webhooks/receiver';

export interface ClipWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Default: bundle on start, the SDK's default limits, a 30 s shutdown grace time. */
  tuning?: Partial<WorkerTuning>;
  /** Overrides where a 'prebuilt' worker finds its bundle (default lib/src/workflow-bundle.js). */
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
    ...(tuning.workflowThreads ? { workflowThreadPoolSize: tuning.workflowThreads } : {}),
    ...(tuning.maxCachedWorkflows ? { maxCachedWorkflows: tuning.maxCachedWorkflows } : {}),
    ...(tuning.maxActivitiesPerSecond ? { maxActivitiesPerSecond: tuning.maxActivitiesPerSecond } : {}),
    ...(tuning.maxTaskQueueActivitiesPerSecond
      ? { maxTaskQueueActivitiesPerSecond: tuning.maxTaskQueueActivitiesPerSecond }
      : {}),
  });
}

export const WORKFLOWS_PATH = require.resolve('./workflows');
/** Workflow interceptors: bundled in by `npm run build`, or loaded by a worker that bundles on start. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./workflows/log-attributes-interceptor')];
/** Where `npm run build` writes the workflow bundle: lib/src/workflow-bundle.js. */
export const PREBUILT_BUNDLE_PATH = path.join(__dirname, 'workflow-bundle.js');

type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> & { workflowModules: string[] };

/**
 * The bundle built ahead of time beside the compiled code (a worker starts in about a second, and runs exactly the code
 * that was built and tested), required in production; run from src/ (no bundle there), src/workflows is bundled with
 * webpack on every start.
 */
export function workflowSource(
  mode: WorkerTuning['workflowBundle'],
  bundlePath: string = PREBUILT_BUNDLE_PATH,
): WorkflowSource {
  if (mode === 'bundle-on-start' || (mode === 'prebuilt-if-present' && !fs.existsSync(bundlePath))) {
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

/**
 * Puts the clip's jobId and clipIndex on every log line of its activities (the SDK's own "Activity started/failed"
 * lines and the activities' `log` calls), read from the workflow id, which every activity of a clip shares.
 */
export const activityLogAttributes: ActivityInterceptorsFactory = (ctx) => {
  const clip = clipLogAttributes(ctx.info.workflowExecution?.workflowId);
  return {
    outbound: {
      getLogAttributes: (attributes, next) => next(clip ? { ...attributes, ...clip } : attributes),
    },
  };
};

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
