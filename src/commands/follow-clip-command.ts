import type { Client } from '@temporalio/client';
import type { FollowClipOptions } from '../client/run-clip';
import type { ClipgenConfig } from '../config';
import type { Clip } from '../domain/types';
import { printClip, withStdoutReserved } from './print-clip';
import { createProgressDisplay, type ProgressDisplay } from './progress-display';
import { connectClient } from './temporal-client';

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
