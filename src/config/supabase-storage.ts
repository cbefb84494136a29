/** Supabase Storage settings beyond URL, key and bucket (README "Storage (Supabase)"). */
export interface SupabaseStorageSettings {
  /** What storeClip returns: the bucket's public URL, or a signed URL (a private bucket needs signed). */
  urlMode: 'public' | 'signed';
  signedUrlTtlSeconds: number;
  /** Create the bucket when the worker starts and it is missing (development; off in production). */
  createBucket: boolean;
  /** Clips up to this size are buffered and sent in one request; larger ones use the resumable upload. */
  standardUploadMaxBytes: number;
  cacheControlSeconds: number;
  /** Per HTTP request to Storage (a 6 MB chunk included). */
  requestTimeoutMs: number;
}

/** The subset of config.ts's EnvReader used here. */
export interface StorageEnvReader {
  positiveInteger(name: string): number | null;
  boolean(name: string): boolean | null;
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | null;
}

/** The standard upload is buffered in memory, so its threshold stays small (Supabase recommends TUS above 6 MB). */
const MAX_STANDARD_UPLOAD_BYTES = 50 * 1024 * 1024;

export function readSupabaseStorageSettings(read: StorageEnvReader, problems: string[]): SupabaseStorageSettings {
  const standardUploadMaxBytes = read.positiveInteger('STORAGE_STANDARD_UPLOAD_MAX_BYTES') ?? 6 * 1024 * 1024;
  if (standardUploadMaxBytes > MAX_STANDARD_UPLOAD_BYTES) {
    problems.push(`STORAGE_STANDARD_UPLOAD_MAX_BYTES must be at most ${MAX_STANDARD_UPLOAD_BYTES} (50 MiB)`);
  }
  return {
    urlMode: read.oneOf('STORAGE_URL_MODE', ['public', 'signed'] as const) ?? 'signed',
    signedUrlTtlSeconds: read.positiveInteger('STORAGE_SIGNED_URL_TTL_SECONDS') ?? 24 * 60 * 60,
    createBucket: read.boolean('STORAGE_CREATE_BUCKET') ?? false,
    standardUploadMaxBytes,
    cacheControlSeconds: read.positiveInteger('STORAGE_CACHE_CONTROL_SECONDS') ?? 3600,
    requestTimeoutMs: read.positiveInteger('STORAGE_REQUEST_TIMEOUT_MS') ?? 60_000,
  };
}
