import type { ClipgenConfig } from '../config';
import { createLocalStorage } from './local';
import { createSupabaseStorage } from './supabase';
import { ensureSupabaseBucket } from './supabase-bucket';
import type { StorageClient } from './types';

/** The configured backend; with STORAGE_CREATE_BUCKET=true, a missing Supabase bucket is created first. */
export async function openStorage(config: ClipgenConfig): Promise<StorageClient> {
  const { storage } = config;
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
