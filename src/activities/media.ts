import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import type { DownloadPolicy } from '../media/download';
import { describeUrl } from '../media/download-failures';
import { probeFile } from '../media/probe';
import { Spool, type SpooledOutput, type SpoolKey } from '../media/spool';
import { clipObjectPath } from '../storage/object-path';
import type { StorageClient } from '../storage/types';
import type { FetchProbeStoreInput, StoredClip } from './contracts';
import { earlierStore, MediaHeartbeats } from './store-heartbeats';

export interface MediaActivityDeps {
  storage: StorageClient;
  download: DownloadPolicy;
  /** Wall-clock limit of one probe; default 60 s. */
  probeTimeoutMs?: number;
  /** Default: the ffprobe-static binary. */
  ffprobePath?: string;
  /** Where outputs are spooled on the worker's disk (SPOOL_DIR); default `<os tmpdir>/clipgen-spool`. */
  spoolDir?: string;
}

const DEFAULT_PROBE_TIMEOUT_MS = 60_000;
export const DEFAULT_SPOOL_DIR = join(tmpdir(), 'clipgen-spool');

export function mediaActivities(deps: MediaActivityDeps) {
  const spool = new Spool(deps.spoolDir ?? DEFAULT_SPOOL_DIR);

  return {
    /**
     * Fetches the output of a succeeded prediction once, through the download policy, into a spool file on this
     * worker (resuming an earlier attempt's file with a Range request); probes that file with ffprobe (a video
     * stream, a duration, an MP4: else a GenerationError); uploads the same file to
     * `{bucket}/{jobId}/clip_{clipIndex}.mp4`, checking that the stored bytes are the probed bytes (size and
     * SHA-256, which also go into the object's metadata). A retry continues an interrupted resumable upload from
     * the checkpoint in the heartbeat details. The spool file is removed once stored, or when the failure is final.
     */
    async fetchProbeStore(input: FetchProbeStoreInput): Promise<StoredClip> {
      const context = Context.current();
      const path = clipObjectPath(input.jobId, input.clipIndex);
      const where = describeUrl(input.outputUrl);
      const key: SpoolKey = { jobId: input.jobId, clipIndex: input.clipIndex, predictionId: input.predictionId };
      const heartbeats = new MediaHeartbeats(context, earlierStore(context.info.heartbeatDetails, path));
      const claim = await spool.claim(key);
      const signal = AbortSignal.any([context.cancellationSignal, claim.signal]);
      try {
        await spool.removeStale();
        const output = await spool.fetch(input.outputUrl, key, deps.download, {
          signal,
          onProgress: (bytes) => heartbeats.progress(bytes),
        });
        const earlierUpload = heartbeats.fetched(output);
        const video = await probeFile(output.path, {
          timeoutMs: deps.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
          ffprobePath: deps.ffprobePath,
          where,
          signal,
        });

        heartbeats.enter('storing', 0);
        const plan =
          earlierUpload && deps.storage.planResume ? await deps.storage.planResume(earlierUpload, signal) : null;
        if (earlierUpload && !plan) heartbeats.checkpoint(null);
        const offset = plan?.checkpoint.offset ?? 0;
        const stored = await deps.storage.put(path, bodyFrom(output, offset), {
          contentType: 'video/mp4',
          expectedBytes: output.bytes - offset,
          bodyStartsAt: offset,
          resume: plan ?? undefined,
          metadata: { size: output.bytes, sha256: output.sha256 },
          onProgress: (bytes) => heartbeats.progress(bytes),
          onCheckpoint: (checkpoint) => heartbeats.checkpoint(checkpoint),
          signal,
        });
        if (stored.bytes !== output.bytes || stored.sha256 !== output.sha256) {
          heartbeats.checkpoint(null);
          throw clipFailure(
            FailureType.Retryable,
            `Storing ${stored.fullPath}: the stored object (${stored.bytes} bytes, sha256 ${stored.sha256}) is not ` +
              `the probed output (${output.bytes} bytes, sha256 ${output.sha256}); the next attempt stores it again`,
          );
        }
        heartbeats.finish(stored.bytes);
        await spool.remove(key);
        return { url: stored.url, storagePath: stored.fullPath, bytes: stored.bytes, sha256: stored.sha256, video };
      } catch (error) {
        // Cancellation surfaces as the SDK's CancelledFailure, so the attempt is reported as cancelled.
        const failure = context.cancellationSignal.aborted
          ? context.cancellationSignal.reason
          : claim.signal.aborted
            ? claim.signal.reason
            : error;
        if (isFinal(failure, context)) await spool.remove(key).catch(() => undefined);
        throw failure;
      } finally {
        heartbeats.stop();
        claim.release();
      }
    },
  };
}

/** The spool file from `offset` on: what the storage has not got yet (nothing, when it has it all). */
function bodyFrom(output: SpooledOutput, offset: number): Readable {
  return offset >= output.bytes ? Readable.from([]) : createReadStream(output.path, { start: offset });
}

/**
 * No later attempt will want the spool file: the failure is not retryable, or the workflow cancelled the clip.
 * (A timed-out attempt, a worker shutting down or a retryable failure keeps it, for the next attempt to resume.)
 */
function isFinal(failure: unknown, context: Context): boolean {
  if (failure instanceof ApplicationFailure) return failure.nonRetryable === true;
  return context.cancellationSignal.aborted && context.cancellationDetails?.cancelRequested === true;
}
