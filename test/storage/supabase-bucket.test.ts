import { patternStream } from '../stand-ins/supabase-storage/generated-source';
import { loadConfig } from '../../src/config';
import { openStorage } from '../../src/storage/open-storage';
import { ensureSupabaseBucket } from '../../src/storage/supabase-client';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';
import { expectFailure } from '../media/support/expect-failure';

let server: StorageServer;

beforeEach(async () => {
  server = await startStorageServer();
});
afterEach(async () => {
  await server.close();
});

const options = (overrides: Partial<Parameters<typeof ensureSupabaseBucket>[0]> = {}) => ({
  url: server.url,
  serviceRoleKey: server.keys.serviceRoleKey,
  bucket: 'video-clips',
  urlMode: 'signed' as const,
  requestTimeoutMs: 5_000,
  ...overrides,
});

describe('creating the bucket at start', () => {
  it('creates a missing bucket, private and for video/mp4 only, and then leaves it be', async () => {
    await expect(ensureSupabaseBucket(options())).resolves.toBe('created');
    expect(server.bucket('video-clips')).toMatchObject({ public: false, allowed_mime_types: ['video/mp4'] });
    await expect(ensureSupabaseBucket(options())).resolves.toBe('exists');
  });

  it('creates a public bucket when URLs are public', async () => {
    await ensureSupabaseBucket(options({ urlMode: 'public' }));
    expect(server.bucket('video-clips')?.public).toBe(true);
  });

  it('refuses public URLs from an existing private bucket', async () => {
    server.createBucket('video-clips');
    await expect(ensureSupabaseBucket(options({ urlMode: 'public' }))).rejects.toThrow(
      'STORAGE_URL_MODE=public, but bucket "video-clips" is private',
    );
  });

  it('says when the key may not create buckets', async () => {
    await expectFailure(
      ensureSupabaseBucket(options({ serviceRoleKey: server.keys.anonKey })),
      'AuthenticationError',
      /creating bucket "video-clips".*row-level security/,
    );
  });

  it('is what the worker does with STORAGE_BACKEND=supabase and STORAGE_CREATE_BUCKET=true', async () => {
    const config = loadConfig({
      STORAGE_BACKEND: 'supabase',
      SUPABASE_URL: server.url,
      SUPABASE_SERVICE_ROLE_KEY: server.keys.serviceRoleKey,
      STORAGE_CREATE_BUCKET: 'true',
      STORAGE_URL_MODE: 'public',
    });
    const storage = await openStorage(config.storage);
    expect(storage.kind).toBe('supabase');
    const stored = await storage.put('job/clip_0.mp4', patternStream(1000), { contentType: 'video/mp4' });
    expect(stored.url).toBe(`${server.url}/storage/v1/object/public/video-clips/job/clip_0.mp4`);
  });

  it('does not touch Supabase at start when STORAGE_CREATE_BUCKET is off', async () => {
    const config = loadConfig({
      STORAGE_BACKEND: 'supabase',
      SUPABASE_URL: server.url,
      SUPABASE_SERVICE_ROLE_KEY: server.keys.serviceRoleKey,
    });
    expect(config.storage.supabase).toEqual({
      urlMode: 'signed',
      signedUrlTtlSeconds: 86_400,
      createBucket: false,
      standardUploadMaxBytes: 6 * 1024 * 1024,
      cacheControlSeconds: 3600,
      requestTimeoutMs: 60_000,
    });
    await openStorage(config.storage);
    expect(server.requests).toEqual([]);
  });
});
