import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface BucketRecord {
  id: string;
  name: string;
  owner: string;
  public: boolean;
  type: 'STANDARD';
  /** Bytes; null means only the global limit applies. */
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
}

export interface ObjectRecord {
  id: string;
  bucket: string;
  name: string;
  /** A new version per write; also the file's name on disk. */
  version: string;
  size: number;
  contentType: string;
  cacheControl: string;
  etag: string;
  /** User metadata (`x-metadata`, multipart `metadata`, TUS `metadata`). */
  metadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  uploadType: 'standard' | 'resumable';
}

export interface NewObject {
  size: number;
  contentType: string;
  cacheControl: string;
  metadata: Record<string, unknown> | null;
  uploadType: ObjectRecord['uploadType'];
}

/** Buckets and objects: records in memory, bytes in files under `root` (never whole objects in memory). */
export class ObjectStore {
  readonly buckets = new Map<string, BucketRecord>();
  private readonly objects = new Map<string, ObjectRecord>();

  constructor(readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.root, 'objects'), { recursive: true });
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    await mkdir(join(this.root, 'tus'), { recursive: true });
  }

  createBucket(
    id: string,
    options: { public?: boolean; fileSizeLimit?: number | null; allowedMimeTypes?: string[] | null } = {},
  ): BucketRecord {
    const now = new Date().toISOString();
    const bucket: BucketRecord = {
      id,
      name: id,
      owner: '',
      public: options.public ?? false,
      type: 'STANDARD',
      file_size_limit: options.fileSizeLimit ?? null,
      allowed_mime_types: options.allowedMimeTypes ?? null,
      created_at: now,
      updated_at: now,
    };
    this.buckets.set(id, bucket);
    return bucket;
  }

  tempFile(): string {
    return join(this.root, 'tmp', randomUUID());
  }

  tusFile(id: string): string {
    return join(this.root, 'tus', createHash('sha256').update(id).digest('hex'));
  }

  fileOf(record: ObjectRecord): string {
    return join(this.root, 'objects', record.version);
  }

  get(bucket: string, name: string): ObjectRecord | undefined {
    return this.objects.get(`${bucket}/${name}`);
  }

  /** Moves a finished file into place as the object's new version; false when it exists and this is no upsert. */
  async commit(
    bucket: string,
    name: string,
    file: string,
    facts: NewObject,
    upsert: boolean,
  ): Promise<ObjectRecord | null> {
    const previous = this.get(bucket, name);
    if (previous && !upsert) {
      await rm(file, { force: true });
      return null;
    }
    const now = new Date().toISOString();
    const version = randomUUID();
    const record: ObjectRecord = {
      id: previous?.id ?? randomUUID(),
      bucket,
      name,
      version,
      ...facts,
      etag: `"${createHash('md5').update(version).digest('hex')}"`,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    };
    await rename(file, this.fileOf(record));
    this.objects.set(`${bucket}/${name}`, record);
    if (previous) await rm(this.fileOf(previous), { force: true });
    return record;
  }

  async remove(bucket: string, names: string[]): Promise<ObjectRecord[]> {
    const removed: ObjectRecord[] = [];
    for (const name of names) {
      const record = this.get(bucket, name);
      if (!record) continue;
      this.objects.delete(`${bucket}/${name}`);
      await rm(this.fileOf(record), { force: true });
      removed.push(record);
    }
    return removed;
  }

  /** Objects of a bucket whose names start with `prefix`. */
  inBucket(bucket: string, prefix = ''): ObjectRecord[] {
    return [...this.objects.values()].filter((record) => record.bucket === bucket && record.name.startsWith(prefix));
  }

  read(record: ObjectRecord, range?: { start: number; end: number }) {
    return createReadStream(this.fileOf(record), range);
  }
}
