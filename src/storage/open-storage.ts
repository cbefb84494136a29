import { createLocalStorage } from './local';
import { createSupabaseStorage, type StorageUrlMode } from './supabase';
import { ensureSupabaseBucket } from './supabase-client';
import type { StorageClient } from './types';

/** What openStorage needs to know (the configuration's `storage`: STORAGE_*, SUPABASE_*, LOCAL_STORAGE_DIR). */
export interface StorageSettings {
  backend: 'local' | 'supabase';
  bucket: string;
  localDir: string;
  /** Both required when the backend is supabase. */
  supabaseUrl: string | null;
  supabaseServiceRoleKey: string | null;
  supabase: {
    urlMode: StorageUrlMode;
    signedUrlTtlSeconds: number;
    /** Create a missing bucket first (development and tests). */
    createBucket: boolean;
    standardUploadMaxBytes: number;
    cacheControlSeconds: number;
    requestTimeoutMs: number;
  };
}

/** The configured backend; with STORAGE_CREATE_BUCKET=true, a missing Supabase bucket is created first. */
export async function openStorage(storage: StorageSettings): Promise<StorageClient> {
  if (storage.backend === 'local') return createLocalStorage({ rootDir: storage.localDir, bucket: storage.bucket });
  // loadConfig requires both when the backend is supabase.
  const url = storage.supabaseUrl as string;
  const serviceRoleKey = storage.supabaseServiceRoleKey as string;
  const { createBucket, ...uploads } = storage.supabase;
  if (createBucket) {
    await ensureSupabaseBucket({
      url,
      serviceRoleKey,
      bucket: storage.bucket,
      urlMode: uploads.urlMode,
      requestTimeoutMs: uploads.requestTimeoutMs,
    });
  }
  return createSupabaseStorage({ url, serviceRoleKey, bucket: storage.bucket, ...uploads });
}
