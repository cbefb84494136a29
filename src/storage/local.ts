import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import {
  assertBucketName,
  assertObjectPath,
  type PutObjectOptions,
  type StorageClient,
  type StoredObject,
} from './types';

export interface LocalStorageOptions {
  rootDir: string;
  /** Default 'video-clips'; a folder under rootDir. */
  bucket?: string;
}

/** Where puts write before renaming into place, and where object metadata is kept: beside the buckets. */
const UPLOADS_DIR = '.uploads';
const METADATA_DIR = '.metadata';

const UUID_PARTIAL_SUFFIX = /^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.partial$/;

/**
 * Storage in a local folder: `${rootDir}/${bucket}/${path}`. Each put streams into a temporary file in
 * `${rootDir}/.uploads/${bucket}/` and renames it into place, so a retried put overwrites, no reader ever sees half
 * a file, and a put that fails leaves nothing in the bucket (not even an empty job folder: the object's folder is
 * made only once its bytes are all in). The object's metadata (contentType, size, sha256 and the caller's) is kept
 * in `${rootDir}/.metadata/${bucket}/${path}.json`, written after the object.
 */
export function createLocalStorage(options: LocalStorageOptions): StorageClient {
  const bucket = assertBucketName(options.bucket ?? 'video-clips');
  const rootDir = resolve(options.rootDir);
  const bucketDir = join(rootDir, bucket);
  const uploadsDir = join(rootDir, UPLOADS_DIR, bucket);
  const locate = (path: string) => join(bucketDir, ...assertObjectPath(path).split('/'));
  const metadataFileOf = (path: string) => join(rootDir, METADATA_DIR, bucket, ...`${path}.json`.split('/'));
  /** `<path, URI-encoded>.<uuid>.partial`: where a put to `path` writes before renaming. */
  const partialPrefixOf = (path: string) => encodeURIComponent(path);

  /**
   * A writer killed mid-put (its worker died) leaves its temporary file behind. Temporal runs one attempt of a
   * clip's store at a time, so a temporary file of this object that exists when a put starts belongs to a writer
   * that is gone (or to an attempt Temporal has already given up on).
   */
  async function removeAbandonedPartials(path: string): Promise<void> {
    const prefix = partialPrefixOf(path);
    const names = await readdir(uploadsDir);
    const abandoned = names.filter(
      (name) => name.startsWith(prefix) && UUID_PARTIAL_SUFFIX.test(name.slice(prefix.length)),
    );
    await Promise.all(abandoned.map((name) => rm(join(uploadsDir, name), { force: true })));
  }

  return {
    kind: 'local',
    bucket,

    async put(path: string, body: Readable, putOptions: PutObjectOptions): Promise<StoredObject> {
      const target = locate(path);
      const temp = join(uploadsDir, `${partialPrefixOf(path)}.${randomUUID()}.partial`);
      const meter = new ContentMeter(putOptions.onProgress);
      let file: WriteStream | undefined;
      let sha256: string;
      try {
        await mkdir(uploadsDir, { recursive: true });
        await removeAbandonedPartials(path);
        file = createWriteStream(temp, { flags: 'wx', flush: true });
        await pipeline(body, meter, file, { signal: putOptions.signal });
        if (putOptions.expectedBytes !== undefined && meter.bytes !== putOptions.expectedBytes) {
          throw clipFailure(
            FailureType.Retryable,
            `Storing ${bucket}/${path} received ${meter.bytes} bytes, expected ${putOptions.expectedBytes}`,
          );
        }
        sha256 = meter.digest();
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
        await writeMetadata(metadataFileOf(path), {
          ...putOptions.metadata,
          contentType: putOptions.contentType,
          size: meter.bytes,
          sha256,
        });
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
        sha256,
      };
    },

    async stat(path: string) {
      try {
        const stats = await stat(locate(path));
        if (!stats.isFile()) return null;
        return { bytes: stats.size, metadata: await readMetadata(metadataFileOf(path)) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw storageFailure(error, `${bucket}/${path}`);
      }
    },
  };
}

/** Written to a temporary file and renamed, so a reader sees the old metadata or the new, never half. */
async function writeMetadata(file: string, metadata: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.partial`;
  await writeFile(temp, `${JSON.stringify(metadata, null, 2)}\n`);
  await rename(temp, file);
}

async function readMetadata(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
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

/** Passes bytes through unchanged while counting them and hashing them (sha256), reporting progress. */
export class ContentMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly onProgress?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    callback(null, chunk);
  }

  /** Hex digest; call once, after the stream has finished. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
