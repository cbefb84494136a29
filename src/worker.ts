import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { loadConfig, type ClipgenConfig } from './config';
import { openActivityDeps } from './dependencies';

export interface ClipWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
}

/** A worker that runs generateClipWorkflow and its activities. */
export function createClipWorker(options: ClipWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities(options.deps),
  });
}

/** The production worker: runs until SIGINT/SIGTERM, then lets in-flight work finish. */
export async function runWorker(config: ClipgenConfig): Promise<void> {
  const opened = await openActivityDeps(config);
  const connection = await NativeConnection.connect({
    address: config.temporal.address ?? 'localhost:7233',
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey, tls: true } : {}),
  });
  try {
    const worker = await createClipWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: opened.deps,
    });
    console.log(
      `clipgen worker polling task queue "${config.temporal.taskQueue}" at ${config.temporal.address ?? 'localhost:7233'}`,
    );
    await worker.run();
  } finally {
    await connection.close();
    await opened.close();
  }
}

if (require.main === module) {
  runWorker(loadConfig()).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
