import { Client, Connection } from '@temporalio/client';
import type { ClipgenConfig } from '../config';
import { fetchWebhookSecret } from '../replicate/webhook-secret';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { startWebhookReceiver, type WebhookLogger, type WebhookReceiver } from './receiver';

export interface ConfiguredReceiver {
  receiver: WebhookReceiver;
  /** Stops the receiver, then closes its Temporal connection. */
  close(): Promise<void>;
}

export interface ReceiverOverrides {
  port?: number;
  host?: string;
  logger?: WebhookLogger;
}

/**
 * The webhook receiver as configured: its secret from REPLICATE_WEBHOOK_SECRET or, unset, fetched once from
 * Replicate; its own client connection to Temporal (signals go to TEMPORAL_NAMESPACE).
 */
export async function startConfiguredReceiver(
  config: ClipgenConfig,
  overrides: ReceiverOverrides = {},
): Promise<ConfiguredReceiver> {
  const secret =
    config.webhooks.secret ??
    (await fetchWebhookSecret({
      apiToken: config.replicate.apiToken ?? undefined,
      baseUrl: config.replicate.baseUrl,
      requestTimeoutMs: config.replicate.requestTimeoutMs,
    }));
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const receiver = await startWebhookReceiver({
      port: overrides.port ?? config.webhooks.port,
      host: overrides.host ?? config.webhooks.host,
      secret,
      client,
      logger: overrides.logger,
    });
    return {
      receiver,
      close: async () => {
        await receiver.close();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
