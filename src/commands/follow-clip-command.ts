import type { Client } from '@temporalio/client';
import type { ClipgenConfig } from '../config';
import type { Clip } from '../domain/types';
import { printClip } from './print-clip';
import { createProgressDisplay, type ProgressDisplay } from './progress-display';
import { connectClient } from './temporal-client';

/**
 * What `generate` and `watch` share: connect to the cluster, show the clip's progress while `follow` runs, print the
 * Clip (exit 0). A failure propagates for the CLI to print; the connection is closed either way.
 */
export async function followClipCommand(
  config: ClipgenConfig,
  json: boolean,
  follow: (client: Client, display: ProgressDisplay) => Promise<Clip>,
): Promise<number> {
  const { client, close } = await connectClient(config);
  const display = createProgressDisplay();
  try {
    const clip = await follow(client, display);
    display.done();
    printClip(clip, json);
    return 0;
  } finally {
    display.done();
    await close();
  }
}
