import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { describeUrl } from '../http/client';
import type { DownloadPolicy } from '../media/download';
import { probeFile } from '../media/probe';
import { Spool, type SpooledOutput, type SpoolKey } from '../media/spool';
import { clipObjectPath, type StorageClient, type UploadCheckpoint } from '../storage/types';
import type { FetchProbeStoreInput, StoredClip } from './contracts';

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

/** Where fetchProbeStore is: fetching the output to the spool file, probing it, storing it, or done. */
export type MediaPhase = 'fetching' | 'probing' | 'storing' | 'stored';

/** The output's size and SHA-256, as fetched (and probed, and stored). */
export interface OutputDigest {
  bytes: number;
  sha256: string;
}

/** What fetchProbeStore heartbeats. */
export interface FetchProbeStoreHeartbeat {
  phase: MediaPhase;
  /** fetching: bytes of the output on the worker's disk; probing: its size; storing, stored: bytes stored. */
  bytes: number;
  /** Once fetched, the output the upload below is of (a retry resumes that upload only for the same bytes). */
  output?: OutputDigest;
  /** During a resumable upload: where it stands. Carried over from the earlier attempt until replaced or dropped. */
  upload?: UploadCheckpoint;
}

/** The SDK throttles heartbeats too; this only spares it a call per network chunk. */
const PROGRESS_INTERVAL_MS = 500;
/** A probe, or a 6 MB chunk on a slow uplink, can outlast the 30 s heartbeat timeout: a tick keeps the attempt alive. */
const TICK_INTERVAL_MS = 5_000;

/**
 * fetchProbeStore's heartbeats. Every heartbeat carries the latest upload checkpoint and the output it belongs to,
 * so whichever one reaches the server last (the SDK throttles, and flushes the latest when an attempt fails) tells
 * the next attempt where to resume, even when that attempt dies while it fetches again.
 */
export class MediaHeartbeats {
  private phase: MediaPhase = 'fetching';
  private bytes = 0;
  private output: OutputDigest | null;
  private upload: UploadCheckpoint | null;
  private lastAt = 0;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly context: Context,
    earlier: EarlierStore | null,
  ) {
    this.output = earlier?.output ?? null;
    this.upload = earlier?.upload ?? null;
    this.send();
    this.ticker = setInterval(() => this.send(), TICK_INTERVAL_MS);
  }

  /**
   * The output is on disk. The earlier attempt's upload checkpoint is kept (and returned, for planResume) only if
   * it was of these very bytes.
   */
  fetched(output: OutputDigest): UploadCheckpoint | null {
    const same = this.output?.bytes === output.bytes && this.output.sha256 === output.sha256;
    if (!same) this.upload = null;
    this.output = { bytes: output.bytes, sha256: output.sha256 };
    this.enter('probing', output.bytes);
    return this.upload;
  }

  enter(phase: MediaPhase, bytes: number): void {
    this.phase = phase;
    this.bytes = bytes;
    this.send();
  }

  progress(bytes: number): void {
    this.bytes = bytes;
    if (Date.now() - this.lastAt >= PROGRESS_INTERVAL_MS) this.send();
  }

  /** Null forgets the upload: the next attempt starts a new one. */
  checkpoint(upload: UploadCheckpoint | null): void {
    this.upload = upload;
    if (upload && this.phase === 'storing') this.bytes = Math.max(this.bytes, upload.offset);
    this.send();
  }

  /** The last heartbeat: everything is stored, nothing is left to resume. */
  finish(bytes: number): void {
    this.upload = null;
    this.enter('stored', bytes);
    this.stop();
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  private send(): void {
    this.lastAt = Date.now();
    const details: FetchProbeStoreHeartbeat = {
      phase: this.phase,
      bytes: this.bytes,
      ...(this.output ? { output: this.output } : {}),
      ...(this.upload ? { upload: this.upload } : {}),
    };
    this.context.heartbeat(details);
  }
}

/** What an earlier attempt left to resume: its output's digest and its upload's checkpoint. */
export interface EarlierStore {
  output: OutputDigest;
  upload: UploadCheckpoint;
}

/** The resumable upload an earlier attempt left in its heartbeat details, if it is one of `path` with its output. */
export function earlierStore(details: unknown, path: string): EarlierStore | null {
  const { output, upload } = (details ?? {}) as Partial<FetchProbeStoreHeartbeat>;
  const validOutput =
    !!output &&
    typeof output === 'object' &&
    Number.isSafeInteger(output.bytes) &&
    output.bytes >= 0 &&
    typeof output.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(output.sha256);
  const checkpoint = validCheckpoint(upload, path);
  return validOutput && checkpoint ? { output, upload: checkpoint } : null;
}

function validCheckpoint(upload: UploadCheckpoint | undefined, path: string): UploadCheckpoint | null {
  if (!upload || typeof upload !== 'object' || upload.path !== path) return null;
  const { uploadUrl, offset, totalBytes, hash } = upload;
  const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  const validHash =
    !!hash &&
    Array.isArray(hash.words) &&
    hash.words.length === 8 &&
    hash.words.every(Number.isInteger) &&
    hash.bytes === offset &&
    typeof hash.tail === 'string';
  const valid =
    typeof uploadUrl === 'string' && isCount(offset) && (totalBytes === null || isCount(totalBytes)) && validHash;
  return valid ? upload : null;
}
