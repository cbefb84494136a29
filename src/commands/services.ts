/**
 * The long-running processes of a deployment and their check: `clipgen worker`, `clipgen webhooks` and
 * `clipgen health`.
 */
import { DEFAULT_WEBHOOK_PORT, loadConfig } from '../config';
import { WEBHOOK_PATH } from '../domain/webhook-url';
import { checkHealth } from '../health/check-health';
import { untilStopped } from '../http/listen';
import { startConfiguredReceiver, type WebhookLogger } from '../webhooks/receiver';
import { runWorker } from '../worker';
import { UsageError, parseCommandArgs, parseNumberFlag } from './args';

export const WORKER_USAGE = `Usage: clipgen worker

Runs a clipgen worker: polls TEMPORAL_TASK_QUEUE (default video-generator) on TEMPORAL_ADDRESS for
generateClipWorkflow and its activities, after applying the ledger's migrations. NODE_ENV=production loads the
workflow bundle \`npm run build\` wrote (lib/src/workflow-bundle.js); otherwise workflows are bundled on start.
SIGINT/SIGTERM stop polling and give running activities WORKER_SHUTDOWN_GRACE_TIME (default 30s) to finish.
Tuning: WORKER_MAX_CONCURRENT_ACTIVITIES, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, WORKER_WORKFLOW_THREADS,
WORKER_MAX_CACHED_WORKFLOWS, WORKER_MAX_ACTIVITIES_PER_SECOND, WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND; logs at LOG_LEVEL (default INFO) on stderr.`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {}, WORKER_USAGE);
  if (values.help) {
    console.log(WORKER_USAGE);
    return 0;
  }
  await runWorker(loadConfig());
  return 0;
}

export const WEBHOOKS_USAGE = `Usage: clipgen webhooks [--port N] [--host H]

Receives Replicate's prediction webhooks and signals each clip's workflow, so it stops waiting at once.
Verifies every signature (REPLICATE_WEBHOOK_SECRET, else fetched from Replicate at start), rejects stale or
replayed messages, and answers 5xx when Temporal does not take the signal, so Replicate delivers again.
Put an https proxy or tunnel in front and set WEBHOOK_PUBLIC_URL to its address on the workers.

Options:
  --port N   port to listen on (default WEBHOOK_PORT, else ${DEFAULT_WEBHOOK_PORT}; 0 picks a free one)
  --host H   interface to bind (default WEBHOOK_HOST, else 127.0.0.1)`;

/** `clipgen webhooks`: serves until SIGINT or SIGTERM, then stops cleanly. */
export async function webhooksCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' } }, WEBHOOKS_USAGE);
  if (values.help) {
    console.log(WEBHOOKS_USAGE);
    return 0;
  }
  const port = parseNumberFlag(values.port, '--port');
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new UsageError('--port must be 0-65535');
  }
  const config = loadConfig();
  const started = await startConfiguredReceiver(config, { port, host: values.host, logger: lineLogger });
  console.log(
    `clipgen webhooks listening on ${started.receiver.url}${WEBHOOK_PATH} ` +
      `(signals to namespace "${config.temporal.namespace}" at ${config.temporal.address ?? 'localhost:7233'})`,
  );
  await untilStopped();
  await started.close();
  const counts = Object.entries(started.receiver.counts()).filter(([, count]) => count > 0);
  console.log(
    `clipgen webhooks stopped (${counts.map(([outcome, n]) => `${outcome}: ${n}`).join(', ') || 'no requests'})`,
  );
  return 0;
}

/** One line per request, to stdout (accepted) or stderr (rejected); fields never include the body or secret. */
const lineLogger: WebhookLogger = {
  info: (message, fields) => console.log(`${message} ${JSON.stringify(fields)}`),
  warn: (message, fields) => console.warn(`${message} ${JSON.stringify(fields)}`),
};

export const HEALTH_USAGE = `Usage: clipgen health [--timeout S]

Checks what the worker needs: the Temporal cluster at TEMPORAL_ADDRESS answers for TEMPORAL_NAMESPACE, and the
Postgres ledger at DATABASE_URL opens (an embedded PGlite ledger belongs to its one process and is not opened).
Exits 0 when everything answers within --timeout seconds (default 5), 1 otherwise; usable as a Docker HEALTHCHECK.`;

export async function healthCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { timeout: { type: 'string' } }, HEALTH_USAGE);
  if (values.help) {
    console.log(HEALTH_USAGE);
    return 0;
  }
  const timeoutSeconds = parseNumberFlag(values.timeout, '--timeout') ?? 5;
  if (timeoutSeconds <= 0) throw new UsageError('--timeout must be positive');
  const results = await checkHealth(loadConfig(), timeoutSeconds * 1000);
  for (const result of results) {
    const line = `${result.ok ? 'ok  ' : 'FAIL'} ${result.name}: ${result.detail} (${result.ms} ms)`;
    (result.ok ? process.stdout : process.stderr).write(`${line}\n`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}
