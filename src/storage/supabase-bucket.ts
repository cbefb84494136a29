import { openSupabaseClient, reportOf, unknownErrorFailure, type SupabaseConnection } from './supabase-client';
import { failureFromReport } from './supabase-failures';
import type { StorageUrlMode } from './supabase';

export interface EnsureBucketOptions extends SupabaseConnection {
  bucket: string;
  urlMode: StorageUrlMode;
}

/**
 * Creates the bucket when it is missing (STORAGE_CREATE_BUCKET=true, for development and tests): private unless
 * the URL mode is public, accepting only video/mp4. An existing bucket is kept as it is, but a private one cannot
 * serve public URLs, so that combination is refused here rather than handing out URLs that answer 400.
 */
export async function ensureSupabaseBucket(options: EnsureBucketOptions): Promise<'exists' | 'created'> {
  const storage = openSupabaseClient(options).storage;
  const context = { doing: `checking bucket "${options.bucket}"`, bucket: options.bucket };
  const found = await storage.getBucket(options.bucket);
  if (!found.error) {
    if (options.urlMode === 'public' && !found.data.public) {
      throw new Error(
        `STORAGE_URL_MODE=public, but bucket "${options.bucket}" is private: make it public or use STORAGE_URL_MODE=signed`,
      );
    }
    return 'exists';
  }
  const report = reportOf(found.error);
  if (!report) throw unknownErrorFailure(found.error, context);
  if (report.code !== '404') throw failureFromReport(report, context);

  const created = await storage.createBucket(options.bucket, {
    public: options.urlMode === 'public',
    allowedMimeTypes: ['video/mp4'],
  });
  if (!created.error) return 'created';
  const createReport = reportOf(created.error);
  if (createReport?.code === '409') return 'exists';
  const createContext = { ...context, doing: `creating bucket "${options.bucket}"` };
  throw createReport
    ? failureFromReport(createReport, createContext)
    : unknownErrorFailure(created.error, createContext);
}
