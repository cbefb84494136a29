import type { Readable } from 'node:stream';

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
  /** Bytes announced by the source, when known; the backend checks the received count against it. */
  expectedBytes?: number;
  /** Called with the bytes written so far, so long transfers can heartbeat. */
  onProgress?: (bytesWritten: number) => void;
  signal?: AbortSignal;
}

/** Where clips are kept. Writes are upserts: storing the same path twice overwrites, never duplicates. */
export interface StorageClient {
  readonly kind: 'local' | 'supabase';
  readonly bucket: string;
  put(path: string, body: Readable, options: PutObjectOptions): Promise<StoredObject>;
  /** Size in bytes, or null when the object does not exist. */
  stat(path: string): Promise<{ bytes: number } | null>;
}
