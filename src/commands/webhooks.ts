import { loadConfig } from '../config';
import { untilStopped } from '../http/listen';
import { DEFAULT_WEBHOOK_PORT } from '../config/webhooks';
import { startConfiguredReceiver } from '../webhooks/start-from-config';
import type { WebhookLogger } from '../webhooks/receiver';
import { WEBHOOK_PATH } from '../webhooks/webhook-url';
import { UsageError, parseCommandArgs, parseNumberFlag } from './args';

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
