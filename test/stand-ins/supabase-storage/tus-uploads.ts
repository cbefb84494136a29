import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { ObjectStore } from './store';

export interface TusUpload {
  /** base64url of `{bucket}/{objectName}/{version}`, as Supabase names uploads (tenant left out). */
  id: string;
  bucket: string;
  name: string;
  /** Null while deferred (Upload-Defer-Length). */
  length: number | null;
  offset: number;
  metadata: Record<string, string>;
  file: string;
  expiresAt: number;
  completed: boolean;
  /** Body bytes received over all its PATCH requests: what clients really sent. */
  bytesReceived: number;
  patches: number;
}

/** Resumable uploads in progress (and finished ones, which still answer HEAD). */
export class TusUploads {
  private readonly uploads = new Map<string, TusUpload>();

  constructor(
    private readonly store: ObjectStore,
    public expiryMs: number,
  ) {}

  async create(bucket: string, name: string, length: number | null, metadata: Record<string, string>) {
    const id = Buffer.from(`${bucket}/${name}/${randomUUID()}`, 'utf8').toString('base64url');
    const upload: TusUpload = {
      id,
      bucket,
      name,
      length,
      offset: 0,
      metadata,
      file: this.store.tusFile(id),
      expiresAt: Date.now() + this.expiryMs,
      completed: false,
      bytesReceived: 0,
      patches: 0,
    };
    await writeFile(upload.file, '');
    this.uploads.set(id, upload);
    return upload;
  }

  get(id: string): TusUpload | undefined {
    return this.uploads.get(id);
  }

  all(): TusUpload[] {
    return [...this.uploads.values()];
  }

  expired(upload: TusUpload): boolean {
    return !upload.completed && upload.expiresAt <= Date.now();
  }
}
