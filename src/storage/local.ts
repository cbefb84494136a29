import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { ContentMeter } from './content-meter';
import { assertBucketName, assertObjectPath } from './object-path';
import type { PutObjectOptions, StorageClient, StoredObject } from './types';

export interface LocalStorageOptions {
  rootDir: string;
  /** Default 'video-clips'; a folder under rootDir. */
  bucket?: string;
}

/**
 * Storage in a local folder: `${rootDir}/${bucket}/${path}`. Each put streams into a temporary file next to
 * the target and renames it into place, so a retried put overwrites and no reader ever sees half a file.
 */
/** `.clip_0.mp4.<uuid>.partial`: where a put to `clip_0.mp4` writes before renaming. */
function partialPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomUUID()}.partial`);
}

const UUID_PARTIAL_SUFFIX = /^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.partial$/;

/**
 * A writer killed mid-put (its worker died) leaves its temporary file behind. Temporal runs one attempt of a
 * clip's store at a time, so a temporary file of this object that exists when a put starts belongs to a writer
 * that is gone (or to an attempt Temporal has already given up on).
 */
async function removeAbandonedPartials(target: string): Promise<void> {
  const prefix = `.${basename(target)}`;
  const names = await readdir(dirname(target));
  const abandoned = names.filter(
    (name) => name.startsWith(prefix) && UUID_PARTIAL_SUFFIX.test(name.slice(prefix.length)),
  );
  await Promise.all(abandoned.map((name) => rm(join(dirname(target), name), { force: true })));
}

export function createLocalStorage(options: LocalStorageOptions): StorageClient {
  const bucket = assertBucketName(options.bucket ?? 'video-clips');
  const bucketDir = resolve(options.rootDir, bucket);
  const locate = (path: string) => join(bucketDir, ...assertObjectPath(path).split('/'));

  return {
    kind: 'local',
    bucket,

    async put(path: string, body: Readable, putOptions: PutObjectOptions): Promise<StoredObject> {
      const target = locate(path);
      const temp = partialPathFor(target);
      const meter = new ContentMeter(putOptions.onProgress);
      let file: WriteStream | undefined;
      try {
        await mkdir(dirname(target), { recursive: true });
        await removeAbandonedPartials(target);
        file = createWriteStream(temp, { flags: 'wx', flush: true });
        await pipeline(body, meter, file, { signal: putOptions.signal });
        if (putOptions.expectedBytes !== undefined && meter.bytes !== putOptions.expectedBytes) {
          throw clipFailure(
            FailureType.Retryable,
            `Storing ${bucket}/${path} received ${meter.bytes} bytes, expected ${putOptions.expectedBytes}`,
          );
        }
        await rename(temp, target);
      } catch (error) {
        body.destroy();
        // The file may still be opening; removing it first would let the open recreate it afterwards.
        const openFile = file;
        if (openFile && !openFile.closed) await new Promise<void>((done) => openFile.once('close', () => done()));
        await rm(temp, { force: true });
        throw storageFailure(error, `${bucket}/${path}`, putOptions.signal);
      }
      return {
        path,
        fullPath: `${bucket}/${path}`,
        url: pathToFileURL(target).href,
        bytes: meter.bytes,
        sha256: meter.digest(),
      };
    },

    async stat(path: string): Promise<{ bytes: number } | null> {
      try {
        const stats = await stat(locate(path));
        return stats.isFile() ? { bytes: stats.size } : null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw storageFailure(error, `${bucket}/${path}`);
      }
    },
  };
}

/** The caller's cancellation and already classified failures pass through; file system errors are retryable. */
function storageFailure(error: unknown, fullPath: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof ApplicationFailure) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  const code = (cause as NodeJS.ErrnoException).code;
  return clipFailure(
    FailureType.Retryable,
    `Writing ${fullPath} to local storage failed: ${code ? `${code}: ` : ''}${cause.message}`,
    { cause },
  );
}
