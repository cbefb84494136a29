import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import { describeBytes } from '../http/client';
import { uploadResumable } from './resumable-upload';
import { openSupabaseClient, reportOf, timedFetch, unknownErrorFailure, withSignal } from './supabase-client';
import { failureFromReport, isMissingObject, networkFailure, type FailureContext } from './supabase-failures';
import { TusClient, TusResponseError } from './tus-client';
import {
  assertBucketName,
  assertObjectPath,
  type ObjectMetadata,
  type PutObjectOptions,
  type ResumePlan,
  type StorageClient,
  type StoredObject,
  type UploadCheckpoint,
} from './types';

export type StorageUrlMode = 'public' | 'signed';

export interface SupabaseStorageOptions {
  /** The project URL, e.g. https://<ref>.supabase.co (Storage lives under /storage/v1). */
  url: string;
  serviceRoleKey: string;
  bucket?: string;
  /** What `put` returns: the bucket's public URL, or a signed URL valid `signedUrlTtlSeconds`. */
  urlMode?: StorageUrlMode;
  signedUrlTtlSeconds?: number;
  /** Larger bodies go through the resumable (TUS) upload; smaller ones are buffered and sent at once. */
  standardUploadMaxBytes?: number;
  /** TUS chunk size; Supabase's resumable upload guide asks for 6 MB. */
  resumableChunkBytes?: number;
  cacheControlSeconds?: number;
  /** Per HTTP request to Storage, body included. */
  requestTimeoutMs?: number;
}

export const SUPABASE_STORAGE_DEFAULTS = Object.freeze({
  bucket: 'video-clips',
  urlMode: 'signed' as StorageUrlMode,
  signedUrlTtlSeconds: 24 * 60 * 60,
  standardUploadMaxBytes: 6 * 1024 * 1024,
  resumableChunkBytes: 6 * 1024 * 1024,
  cacheControlSeconds: 3600,
  requestTimeoutMs: 60_000,
});

/**
 * Supabase Storage through supabase-js: small clips in one standard upload, larger ones through the resumable TUS
 * endpoint in chunks, both upserts (a retried store overwrites). Objects carry the caller's metadata and their size
 * as user metadata, and for standard uploads (whose bytes are hashed before they are sent) their sha256; a caller
 * that knows the sha256 beforehand (fetchProbeStore) passes it in `metadata`, so resumable uploads carry it too.
 */
export function createSupabaseStorage(options: SupabaseStorageOptions): StorageClient {
  const settings = {
    ...SUPABASE_STORAGE_DEFAULTS,
    ...withoutUndefined(options),
    url: options.url,
    serviceRoleKey: options.serviceRoleKey,
  };
  const bucket = assertBucketName(settings.bucket);
  const client = openSupabaseClient(settings);
  const files = () => client.storage.from(bucket);
  const endpoint = `${settings.url.replace(/\/+$/, '')}/storage/v1/upload/resumable`;
  const tus = new TusClient({
    endpoint,
    headers: { apikey: settings.serviceRoleKey, authorization: `Bearer ${settings.serviceRoleKey}` },
    fetch: timedFetch(settings.requestTimeoutMs),
  });
  const contextFor = (doing: string): FailureContext => ({ doing, bucket });

  /** Classifies any failure of a storage call; the caller's cancellation passes through untouched. */
  async function classify(error: unknown, context: FailureContext, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) return signal.reason;
    if (error instanceof ApplicationFailure) return error;
    const report = error instanceof TusResponseError ? error.report : reportOf(error);
    if (!report) {
      return (error as { name?: string })?.name === 'StorageUnknownError'
        ? unknownErrorFailure(error, context)
        : networkFailure(error, context);
    }
    if (report.code === '413') context.sizeLimit = await describeSizeLimit();
    return failureFromReport(report, context);
  }

  /** Best effort: names the bucket's own limit when it has one. */
  async function describeSizeLimit(): Promise<string> {
    const { data } = await client.storage.getBucket(bucket).catch(() => ({ data: null }));
    const limit = data?.file_size_limit;
    return typeof limit === 'number' && limit > 0
      ? `bucket "${bucket}"'s file size limit of ${describeBytes(limit)}`
      : "the project's upload size limit (Supabase dashboard → Storage → Settings; 50 MB on the Free plan)";
  }

  async function standardUpload(
    path: string,
    bytes: Buffer,
    cacheControl: string,
    metadata: ObjectMetadata | undefined,
    signal?: AbortSignal,
  ) {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { error } = await withSignal(signal, () =>
      files().upload(path, bytes, {
        contentType: 'video/mp4',
        upsert: true,
        cacheControl,
        metadata: { ...metadata, size: bytes.length, sha256 },
      }),
    );
    if (error) throw error;
    return { bytes: bytes.length, sha256 };
  }

  async function urlFor(path: string, signal?: AbortSignal): Promise<string> {
    if (settings.urlMode === 'public') return files().getPublicUrl(path).data.publicUrl;
    const { data, error } = await withSignal(signal, () => files().createSignedUrl(path, settings.signedUrlTtlSeconds));
    if (error) throw await classify(error, contextFor(`signing a URL for ${bucket}/${path}`), signal);
    return data.signedUrl;
  }

  return {
    kind: 'supabase',
    bucket,

    async put(path: string, body: Readable, putOptions: PutObjectOptions): Promise<StoredObject> {
      const fullPath = `${bucket}/${path}`;
      const { signal, resume, onProgress } = putOptions;
      const bodyStartsAt = putOptions.bodyStartsAt ?? 0;
      const totalBytes =
        putOptions.expectedBytes !== undefined
          ? bodyStartsAt + putOptions.expectedBytes
          : (resume?.checkpoint.totalBytes ?? null);
      const cacheControl = String(settings.cacheControlSeconds);
      let stored: { bytes: number; sha256: string };
      try {
        assertObjectPath(path);
        signal?.throwIfAborted();
        const iterator = bodyIterator(body, signal, fullPath);
        const rest = { [Symbol.asyncIterator]: () => iterator };
        const resumable = (head: Buffer[], size: number | null) =>
          uploadResumable({
            tus,
            path,
            metadata: {
              bucketName: bucket,
              objectName: path,
              contentType: 'video/mp4',
              cacheControl,
              metadata: JSON.stringify({ ...putOptions.metadata, ...(size === null ? {} : { size }) }),
            },
            head,
            rest,
            bodyStartsAt,
            totalBytes: size,
            resume,
            chunkBytes: settings.resumableChunkBytes,
            onProgress,
            onCheckpoint: putOptions.onCheckpoint,
            signal,
          });
        if (resume || (totalBytes !== null && totalBytes > settings.standardUploadMaxBytes)) {
          stored = await resumable([], totalBytes);
        } else {
          const head = await readHead(iterator, settings.standardUploadMaxBytes, onProgress);
          if (!head.ended) {
            stored = await resumable(head.pieces, totalBytes);
          } else {
            if (totalBytes !== null && head.bytes !== totalBytes) {
              throw clipFailure(
                FailureType.Retryable,
                `Storing ${fullPath} received ${head.bytes} bytes, expected ${totalBytes}`,
              );
            }
            const bytes = Buffer.concat(head.pieces, head.bytes);
            stored = await standardUpload(path, bytes, cacheControl, putOptions.metadata, signal);
            onProgress?.(stored.bytes);
          }
        }
      } catch (error) {
        body.destroy();
        throw await classify(error, contextFor(`uploading ${fullPath}`), signal);
      }
      return { path, fullPath, url: await urlFor(path, signal), bytes: stored.bytes, sha256: stored.sha256 };
    },

    async stat(path: string) {
      assertObjectPath(path);
      const { data, error } = await files().info(path);
      if (!error) return { bytes: Number(data.size), metadata: (data.metadata as Record<string, unknown>) ?? null };
      // Object not found is an answer; Bucket not found (same "404") is a setup problem to report.
      const report = reportOf(error);
      if (report && isMissingObject(report)) return null;
      throw await classify(error, contextFor(`reading the info of ${bucket}/${path}`));
    },

    async planResume(checkpoint: UploadCheckpoint, signal?: AbortSignal): Promise<ResumePlan | null> {
      if (!tus.owns(checkpoint.uploadUrl)) return null;
      try {
        const status = await tus.status(checkpoint.uploadUrl, signal);
        if (!status || status.offset < checkpoint.offset) return null;
        if (checkpoint.totalBytes !== null && status.length !== null && status.length !== checkpoint.totalBytes) {
          return null;
        }
        return {
          checkpoint: { ...checkpoint, totalBytes: checkpoint.totalBytes ?? status.length },
          serverOffset: status.offset,
        };
      } catch (error) {
        throw await classify(
          error,
          contextFor(`checking the resumable upload of ${bucket}/${checkpoint.path}`),
          signal,
        );
      }
    },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

export interface StreamHead {
  pieces: Buffer[];
  bytes: number;
  /** The stream ended within the limit: `pieces` are all of it. */
  ended: boolean;
}

/**
 * Reads from `iterator` until more than `limit` bytes have arrived or the stream ends, keeping at most `limit`
 * bytes plus one piece in memory. What is left stays in the iterator.
 */
export async function readHead(
  iterator: AsyncIterator<Buffer>,
  limit: number,
  onProgress?: (bytes: number) => void,
): Promise<StreamHead> {
  const pieces: Buffer[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await iterator.next();
    if (next.done) return { pieces, bytes, ended: true };
    pieces.push(next.value);
    bytes += next.value.length;
    onProgress?.(bytes);
  }
  return { pieces, bytes, ended: false };
}

/**
 * Reads a body to upload. `next()` rejects with the signal's reason as soon as it aborts, even while the source is
 * stuck (destroying a stream does not settle a read waiting on a stalled producer), and a source error that is not
 * classified yet becomes a RetryableError that says the source failed, not the storage.
 */
export function bodyIterator(body: Readable, signal: AbortSignal | undefined, fullPath: string): AsyncIterator<Buffer> {
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const sourceFailure = (error: unknown) =>
    error instanceof ApplicationFailure || signal?.aborted
      ? error
      : clipFailure(FailureType.Retryable, `Reading the clip for ${fullPath} failed: ${describe(error)}`);
  return {
    next: () =>
      new Promise<IteratorResult<Buffer>>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        source
          .next()
          .then(resolve, (error: unknown) => reject(sourceFailure(error)))
          .finally(() => signal?.removeEventListener('abort', onAbort));
      }),
  };
}

function describe(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
}
