import type { Readable } from 'node:stream';
import { clipFailure, FailureType } from '../domain/failures';
import type { Sha256State } from './resumable-sha256';

export interface StoredObject {
  /** Path inside the bucket, e.g. `{jobId}/clip_{clipIndex}.mp4`. */
  path: string;
  /** Bucket-qualified path, e.g. `video-clips/{jobId}/clip_{clipIndex}.mp4`. */
  fullPath: string;
  /** Where the next pipeline stage downloads it: file:// for local storage, https:// for Supabase. */
  url: string;
  bytes: number;
  sha256: string;
}

export interface PutObjectOptions {
  contentType: string;
  /** Bytes the body will carry (the remainder, when resumed), when the source said; the backend checks them. */
  expectedBytes?: number;
  /** Called with the bytes of the object stored so far (a resumed upload counts its earlier bytes), for heartbeats. */
  onProgress?: (bytesWritten: number) => void;
  signal?: AbortSignal;
  /** Continues an interrupted resumable upload (from `planResume`); the body then starts at `bodyStartsAt`. */
  resume?: ResumePlan;
  /** Where the body's first byte sits in the object: the checkpoint's offset when the download resumed, else 0. */
  bodyStartsAt?: number;
  /**
   * Called whenever a resumable upload has stored more bytes, with where it stands; null means "start over next
   * time". The caller keeps the latest (fetchProbeStore heartbeats it) and hands it to `planResume` on a retry.
   */
  onCheckpoint?: (checkpoint: UploadCheckpoint | null) => void;
  /**
   * Kept with the object (fetchProbeStore: `size` and `sha256` of the probed bytes). Supabase: the object's user
   * metadata; local: a sidecar JSON file (see createLocalStorage). The backend's own `size` (and, when it hashed
   * the bytes before sending them, `sha256`) take precedence.
   */
  metadata?: ObjectMetadata;
}

export type ObjectMetadata = Record<string, string | number>;

/** Where a resumable upload stands. Serialisable and free of secrets: it travels in heartbeat details. */
export interface UploadCheckpoint {
  /** The object's path inside the bucket. */
  path: string;
  uploadUrl: string;
  /** Bytes of the object the server had confirmed. */
  offset: number;
  /** The object's size when it was known at creation; null when the upload declares it at the end. */
  totalBytes: number | null;
  /** SHA-256 state over bytes [0, offset). */
  hash: Sha256State;
}

/** A checkpoint the server still honours, and how far the server has really got. */
export interface ResumePlan {
  checkpoint: UploadCheckpoint;
  /** At least `checkpoint.offset`: a chunk may have landed after the last checkpoint was kept. */
  serverOffset: number;
}

/** Where clips are kept. Writes are upserts: storing the same path twice overwrites, never duplicates. */
export interface StorageClient {
  readonly kind: 'local' | 'supabase';
  readonly bucket: string;
  put(path: string, body: Readable, options: PutObjectOptions): Promise<StoredObject>;
  /** Size in bytes and the metadata stored with it, or null when the object does not exist. */
  stat(path: string): Promise<{ bytes: number; metadata: Record<string, unknown> | null } | null>;
  /**
   * Backends with resumable uploads: checks an earlier attempt's checkpoint against the server. Null means it
   * cannot be resumed (expired, unknown, or the server holds fewer bytes); the upload then starts over.
   */
  planResume?(checkpoint: UploadCheckpoint, signal?: AbortSignal): Promise<ResumePlan | null>;
}

/**
 * Checks a path inside a bucket: relative, `/`-separated, no empty, `.` or `..` segments, no backslashes or
 * control characters, so it can never point outside the bucket, on any backend.
 */
export function assertObjectPath(path: string): string {
  const segments = path.split('/');
  const problem =
    path.length === 0
      ? 'it is empty'
      : path.startsWith('/')
        ? 'it is absolute'
        : segments.some((segment) => segment === '' || segment === '.' || segment === '..')
          ? 'it has an empty, "." or ".." segment'
          : hasBackslashOrControl(path)
            ? 'it contains a backslash or a control character'
            : null;
  if (problem !== null) {
    throw clipFailure(FailureType.InvalidInput, `Invalid storage path ${JSON.stringify(path)}: ${problem}`);
  }
  return path;
}

export function assertBucketName(bucket: string): string {
  if (bucket === '' || bucket === '.' || bucket === '..' || bucket.includes('/') || hasBackslashOrControl(bucket)) {
    throw clipFailure(FailureType.InvalidInput, `Invalid storage bucket name ${JSON.stringify(bucket)}`);
  }
  return bucket;
}

function hasBackslashOrControl(text: string): boolean {
  return [...text].some((character) => character === '\\' || character.charCodeAt(0) < 0x20);
}

/** Where fetchProbeStore keeps a clip inside the bucket. */
export function clipObjectPath(jobId: string, clipIndex: number): string {
  return `${jobId}/clip_${clipIndex}.mp4`;
}
