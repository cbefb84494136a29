import { Client, Connection } from '@temporalio/client';
import type { ClipgenConfig } from '../config';
import { temporalConnectionOptions } from '../temporal/connection-options';

export interface ConnectedClient {
  client: Client;
  close(): Promise<void>;
}

/** A client of the configured cluster (address, namespace, API key or mTLS). */
export async function connectClient(config: ClipgenConfig, connectTimeoutMs = 10_000): Promise<ConnectedClient> {
  const connection = await Connection.connect({
    ...temporalConnectionOptions(config.temporal),
    connectTimeout: connectTimeoutMs,
  });
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}
