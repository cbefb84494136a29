import { loadConfig } from '../config';
import { runWorker } from '../worker';
import { parseCommandArgs } from './args';

export const WORKER_USAGE = `Usage: clipgen worker

Runs a clipgen worker: polls TEMPORAL_TASK_QUEUE (default video-generator) on TEMPORAL_ADDRESS for
generateClipWorkflow and its activities, after applying the ledger's migrations. NODE_ENV=production loads the
workflow bundle \`npm run build\` wrote (lib/workflow-bundle.js); otherwise workflows are bundled on start.
SIGINT/SIGTERM stop polling and give running activities WORKER_SHUTDOWN_GRACE_TIME (default 30s) to finish.
Tuning: WORKER_MAX_CONCURRENT_ACTIVITIES, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, WORKER_MAX_ACTIVITIES_PER_SECOND,
WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND; logs at LOG_LEVEL (default INFO) on stderr.`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {}, WORKER_USAGE);
  if (values.help) {
    console.log(WORKER_USAGE);
    return 0;
  }
  await runWorker(loadConfig());
  return 0;
}
