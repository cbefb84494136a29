import { Context } from '@temporalio/activity';
import type { ProbedVideo } from '../domain/types';
import { openDownload, type DownloadPolicy } from '../media/download';
import { probeVideo } from '../media/probe';
import { clipObjectPath } from '../storage/object-path';
import type { StorageClient } from '../storage/types';
import type { ProbeVideoInput, StoreClipInput, StoreClipResult } from './contracts';

export interface MediaActivityDeps {
  storage: StorageClient;
  download: DownloadPolicy;
  /** Wall-clock limit of one probe; default 60 s. */
  probeTimeoutMs?: number;
  /** Default: the ffprobe-static binary. */
  ffprobePath?: string;
}

const DEFAULT_PROBE_TIMEOUT_MS = 60_000;
const PROBE_HEARTBEAT_INTERVAL_MS = 5_000;
/** The SDK throttles heartbeats too; this only spares it a call per network chunk. */
const HEARTBEAT_INTERVAL_MS = 500;

export function mediaActivities(deps: MediaActivityDeps) {
  return {
    /** Measures the model's output with ffprobe; anything that is not a playable video is a GenerationError. */
    async probeVideo(input: ProbeVideoInput): Promise<ProbedVideo> {
      const context = Context.current();
      // A probe may outlast the heartbeat timeout the workflow sets for media activities.
      context.heartbeat();
      const ticker = setInterval(() => context.heartbeat(), PROBE_HEARTBEAT_INTERVAL_MS);
      try {
        return await probeVideo(input.url, {
          timeoutMs: deps.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
          ffprobePath: deps.ffprobePath,
          download: deps.download,
          signal: context.cancellationSignal,
        });
      } finally {
        clearInterval(ticker);
      }
    },

    /** Streams the output into storage at `{jobId}/clip_{clipIndex}.mp4` (an upsert), heartbeating bytes. */
    async storeClip(input: StoreClipInput): Promise<StoreClipResult> {
      const context = Context.current();
      const signal = context.cancellationSignal;
      const heartbeat = throttledHeartbeat(context);
      heartbeat(0, true);
      try {
        const download = await openDownload(input.sourceUrl, deps.download, signal);
        const stored = await deps.storage.put(clipObjectPath(input.jobId, input.clipIndex), download.stream, {
          contentType: 'video/mp4',
          expectedBytes: download.contentLength ?? undefined,
          onProgress: (bytes) => heartbeat(bytes, false),
          signal,
        });
        heartbeat(stored.bytes, true);
        return { url: stored.url, storagePath: stored.fullPath, bytes: stored.bytes, sha256: stored.sha256 };
      } catch (error) {
        // Cancellation surfaces as the SDK's CancelledFailure, so the attempt is reported as cancelled.
        throw signal.aborted ? signal.reason : error;
      }
    },
  };
}

function throttledHeartbeat(context: Context): (bytes: number, force: boolean) => void {
  let lastAt = 0;
  return (bytes, force) => {
    const now = Date.now();
    if (!force && now - lastAt < HEARTBEAT_INTERVAL_MS) return;
    lastAt = now;
    context.heartbeat({ bytes });
  };
}
