import { Client, Connection } from '@temporalio/client';
import type { ClipgenConfig } from '../config';
import { temporalConnectionOptions } from '../temporal/connection-options';

export interface ConnectedClient {
  client: Client;
  /** The address it connected to (TEMPORAL_ADDRESS, or the default). */
  address: string;
  close(): Promise<void>;
}

/**
 * A client of the configured cluster (address, namespace, API key or mTLS). A cluster that does not answer within
 * `connectTimeoutMs` is a TemporalUnreachableError naming the address and how to change it.
 */
export async function connectClient(config: ClipgenConfig, connectTimeoutMs = 10_000): Promise<ConnectedClient> {
  const options = temporalConnectionOptions(config.temporal);
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...options,
      connectTimeout: connectTimeoutMs,
      // While a clip is followed through an outage, try the cluster again every few seconds, not every 2 minutes.
      channelArgs: { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 5_000 },
    });
  } catch (err) {
    throw new TemporalUnreachableError(options.address, config.temporal.address === null, connectTimeoutMs, err);
  }
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    address: options.address,
    close: () => connection.close(),
  };
}

/** The cluster did not answer at all: says where clipgen looked, and how to point it elsewhere. */
export class TemporalUnreachableError extends Error {
  override name = 'TemporalUnreachableError';

  constructor(
    readonly address: string,
    isDefault: boolean,
    timeoutMs: number | null,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `cannot reach Temporal at ${address}${isDefault ? ' (the default)' : ''}` +
        `${timeoutMs === null ? '' : ` within ${timeoutMs / 1000} s`}: ${why}. ` +
        `Is the cluster running there? Set TEMPORAL_ADDRESS=host:port to use another one.`,
      { cause },
    );
  }
}
