import { Client, Connection } from '@temporalio/client';
import type { FollowClipOptions } from '../client/run-clip';
import type { ClipgenConfig } from '../config';
import type { Clip } from '../domain/types';
import { temporalConnectionOptions } from '../temporal/connection-options';
import { createProgressDisplay, printClip, withStdoutReserved, type ProgressDisplay } from './output';

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

/**
 * What `generate` and `watch` share: connect to the cluster, show the clip's progress while `follow` runs, print the
 * Clip (exit 0). A failure propagates for the CLI to print; the connection is closed either way. With `json`, the
 * Clip is the only thing on stdout. `follow` gets the options that ride out an outage of the cluster.
 */
export async function followClipCommand(
  config: ClipgenConfig,
  json: boolean,
  follow: (client: Client, display: ProgressDisplay, options: FollowClipOptions) => Promise<Clip>,
): Promise<number> {
  const clip = await withStdoutReserved(json, async () => {
    const { client, address, close } = await connectClient(config);
    const display = createProgressDisplay();
    const options: FollowClipOptions = {
      onProgress: (progress) => display.update(progress),
      reconnectTimeoutMs: config.follow.reconnectTimeoutMs,
      clusterName: address,
      onUnreachable: () =>
        display.note(
          `Temporal at ${address} does not answer; still following, reconnecting for up to ` +
            `${config.follow.reconnectTimeoutMs / 1000} s (CLIPGEN_RECONNECT_TIMEOUT)`,
        ),
      onReconnected: (downForMs) => display.note(`Temporal answers again (after ${Math.round(downForMs / 1000)} s)`),
    };
    try {
      return await follow(client, display, options);
    } finally {
      display.done();
      await close();
    }
  });
  printClip(clip, json);
  return 0;
}
