import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { openDownload, type DownloadPolicy } from './download';

/** Whose output a spool file holds: one prediction's output, for one clip of one job. */
export interface SpoolKey {
  jobId: string;
  clipIndex: number;
  predictionId: string;
}

/** A model output, whole, in a file on this machine. */
export interface SpooledOutput {
  path: string;
  bytes: number;
  sha256: string;
  /** Where this attempt's download started: 0 for a fresh one, the partial file's size when it resumed. */
  resumedAt: number;
  /** Bytes this attempt received over the network (0 when an earlier attempt had fetched it all). */
  received: number;
}

export interface SpoolFetchOptions {
  signal?: AbortSignal;
  /** Bytes of the output on disk so far (resumed bytes included). */
  onProgress?: (bytes: number) => void;
}

/** Spool files older than this are an abandoned clip's (its attempts retry within minutes): removed. */
export const SPOOL_STALE_AFTER_MS = 24 * 60 * 60 * 1000;
const PARTIAL = '.part';
const COMPLETE = '.mp4';
/** `{job}.{clip}.{prediction}.{digest}` plus `.part` or `.mp4`. */
const SPOOL_NAME = /^[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]+\.[0-9a-f]{16}\.(part|mp4)$/;

interface Holder {
  supersede: AbortController;
  released: Promise<void>;
}

/**
 * Model outputs on the worker's local disk, one file per (jobId, clipIndex, predictionId) at a deterministic path,
 * so a retried attempt on the same machine finds what an earlier one fetched: `<key>.part` while it downloads
 * (a retry resumes it with a Range request), `<key>.mp4` once every byte is in (a retry fetches nothing).
 */
export class Spool {
  private readonly holders = new Map<string, Holder>();
  private lastSweepMs = 0;

  constructor(readonly dir: string) {}

  files(key: SpoolKey): { partial: string; complete: string } {
    const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
    // The digest keeps two keys apart that the character clean-up would have made equal.
    const digest = createHash('sha256')
      .update(JSON.stringify([key.jobId, key.clipIndex, key.predictionId]))
      .digest('hex')
      .slice(0, 16);
    const base = join(this.dir, `${safe(key.jobId)}.${key.clipIndex}.${safe(key.predictionId)}.${digest}`);
    return { partial: base + PARTIAL, complete: base + COMPLETE };
  }

  /**
   * Takes the key for one attempt. Temporal runs one attempt at a time, so an earlier holder in this process is an
   * attempt Temporal has already given up on (timed out, its worker slot not yet freed): it is aborted, with a
   * RetryableError, and awaited, so two attempts never write one file. The returned signal aborts likewise when a
   * later attempt takes the key.
   */
  async claim(key: SpoolKey): Promise<{ signal: AbortSignal; release: () => void }> {
    const name = this.files(key).complete;
    const earlier = this.holders.get(name);
    if (earlier) {
      earlier.supersede.abort(
        clipFailure(FailureType.Retryable, 'A later attempt of this clip took over its output on this worker'),
      );
      await earlier.released;
    }
    let release!: () => void;
    const holder: Holder = {
      supersede: new AbortController(),
      released: new Promise<void>((resolve) => (release = resolve)),
    };
    this.holders.set(name, holder);
    return {
      signal: holder.supersede.signal,
      release: () => {
        if (this.holders.get(name) === holder) this.holders.delete(name);
        release();
      },
    };
  }

  /**
   * The output at `url`, fetched once through the download policy (host checks, redirects, size cap, timeouts)
   * into its spool file, hashed as it is written. A complete file from an earlier attempt is used as it is; a
   * partial one is continued from its size (`Range: bytes=N-`), or begun again when the server sends it all.
   */
  async fetch(
    url: string,
    key: SpoolKey,
    policy: DownloadPolicy,
    options: SpoolFetchOptions = {},
  ): Promise<SpooledOutput> {
    const { partial, complete } = this.files(key);
    await mkdir(this.dir, { recursive: true });
    const done = await fileSize(complete);
    if (done !== null) {
      const hash = createHash('sha256');
      await hashFile(complete, hash, options.signal);
      options.onProgress?.(done);
      return { path: complete, bytes: done, sha256: hash.digest('hex'), resumedAt: done, received: 0 };
    }

    const onDisk = (await fileSize(partial)) ?? 0;
    const opened = await openDownload(url, policy, options.signal, { startAt: onDisk });
    const resumedAt = opened.startAt;
    const meter = new SpoolMeter(resumedAt, options.onProgress);
    let file: WriteStream | undefined;
    try {
      // Resumed: the bytes already on disk go into the hash first. Not resumed: the file is written afresh.
      if (resumedAt > 0) await hashFile(partial, meter.hash, options.signal, resumedAt);
      file = createWriteStream(partial, { flags: resumedAt > 0 ? 'a' : 'w', flush: true });
      await pipeline(opened.stream, meter, file, { signal: options.signal });
    } catch (error) {
      opened.stream.destroy();
      // pipeline rejects without waiting for a file whose open is still pending, and that open creates the file:
      // only once it is closed can a caller that removes the spool files after this failure leave none behind.
      if (file && !file.closed) await new Promise<void>((resolve) => file?.once('close', () => resolve()));
      throw options.signal?.aborted ? options.signal.reason : spoolFailure(error, partial);
    }
    await rename(partial, complete);
    return {
      path: complete,
      bytes: resumedAt + meter.received,
      sha256: meter.hash.digest('hex'),
      resumedAt,
      received: meter.received,
    };
  }

  /** Removes the key's spool files (both names). */
  async remove(key: SpoolKey): Promise<void> {
    const { partial, complete } = this.files(key);
    await Promise.all([rm(partial, { force: true }), rm(complete, { force: true })]);
  }

  /**
   * Removes spool files not written for `maxAgeMs` (an abandoned clip's, or a crashed worker's), at most once per
   * `everyMs` per Spool. Best effort: a failure to list or remove is ignored. Returns the names removed.
   */
  async removeStale(maxAgeMs = SPOOL_STALE_AFTER_MS, everyMs = 60 * 60 * 1000, now = Date.now()): Promise<string[]> {
    if (now - this.lastSweepMs < everyMs) return [];
    this.lastSweepMs = now;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names.filter((entry) => SPOOL_NAME.test(entry))) {
      const path = join(this.dir, name);
      const stats = await stat(path).catch(() => null);
      if (!stats?.isFile() || now - stats.mtimeMs < maxAgeMs) continue;
      if (this.holders.has(path.replace(/\.part$/, COMPLETE))) continue;
      await rm(path, { force: true }).then(
        () => removed.push(name),
        () => undefined,
      );
    }
    return removed;
  }
}

/** Counts and hashes the bytes on their way to the spool file. */
class SpoolMeter extends Transform {
  readonly hash: Hash = createHash('sha256');
  received = 0;

  constructor(
    private readonly startAt: number,
    private readonly onProgress?: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.received += chunk.length;
    this.onProgress?.(this.startAt + this.received);
    callback(null, chunk);
  }
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw spoolFailure(error, path);
  }
}

/** Feeds the file's first `bytes` bytes (all of it by default) into `hash`. */
async function hashFile(path: string, hash: Hash, signal?: AbortSignal, bytes?: number): Promise<void> {
  if (bytes === 0) return;
  const stream = createReadStream(path, bytes === undefined ? {} : { end: bytes - 1 });
  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      hash.update(chunk as Buffer);
    }
  } catch (error) {
    throw signal?.aborted ? signal.reason : spoolFailure(error, path);
  } finally {
    stream.destroy();
  }
}

/** Classified failures (the download's) pass through; disk errors on this worker are retryable. */
function spoolFailure(error: unknown, path: string): unknown {
  if (error instanceof ApplicationFailure) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  const code = (cause as NodeJS.ErrnoException).code;
  return clipFailure(
    FailureType.Retryable,
    `Writing the output to this worker's spool file ${path} failed: ${code ? `${code}: ` : ''}${cause.message}`,
    { cause },
  );
}
