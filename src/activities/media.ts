import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import type { ProbedVideo } from '../domain/types';
import { openDownload, type DownloadPolicy, type OpenedDownload } from '../media/download';
import { probeVideo } from '../media/probe';
import { clipObjectPath } from '../storage/object-path';
import type { ResumePlan, StorageClient } from '../storage/types';
import type { ProbeVideoInput, StoreClipInput, StoreClipResult } from './contracts';
import { earlierCheckpoint, StoreHeartbeats } from './store-heartbeats';

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

    /**
     * Streams the output into storage at `{jobId}/clip_{clipIndex}.mp4` (an upsert), heartbeating bytes. A retry of
     * an interrupted resumable upload continues it: the download resumes at the last checkpoint, and only bytes the
     * storage has not got are sent again.
     */
    async storeClip(input: StoreClipInput): Promise<StoreClipResult> {
      const context = Context.current();
      const signal = context.cancellationSignal;
      const path = clipObjectPath(input.jobId, input.clipIndex);
      const earlier = earlierCheckpoint(context.info.heartbeatDetails, path);
      const heartbeats = new StoreHeartbeats(context, earlier);
      try {
        const plan = earlier && deps.storage.planResume ? await deps.storage.planResume(earlier, signal) : null;
        if (earlier && !plan) heartbeats.checkpoint(null);
        const body = await openBody(input.sourceUrl, plan, signal);
        const stored = await deps.storage.put(path, body.stream, {
          contentType: 'video/mp4',
          expectedBytes: body.contentLength ?? undefined,
          bodyStartsAt: body.startAt,
          resume: plan ?? undefined,
          onProgress: (bytes) => heartbeats.progress(bytes),
          onCheckpoint: (checkpoint) => heartbeats.checkpoint(checkpoint),
          signal,
        });
        heartbeats.finish(stored.bytes);
        return { url: stored.url, storagePath: stored.fullPath, bytes: stored.bytes, sha256: stored.sha256 };
      } catch (error) {
        // Cancellation surfaces as the SDK's CancelledFailure, so the attempt is reported as cancelled.
        throw signal.aborted ? signal.reason : error;
      } finally {
        heartbeats.stop();
      }
    },
  };

  /** The source from the checkpoint on; nothing at all when every byte was hashed and stored already. */
  async function openBody(
    url: string,
    plan: ResumePlan | null,
    signal: AbortSignal,
  ): Promise<Pick<OpenedDownload, 'stream' | 'contentLength' | 'startAt'>> {
    const offset = plan?.checkpoint.offset ?? 0;
    if (plan && offset === plan.checkpoint.totalBytes) {
      return { stream: Readable.from([]), contentLength: 0, startAt: offset };
    }
    return openDownload(url, deps.download, signal, { startAt: offset });
  }
}
