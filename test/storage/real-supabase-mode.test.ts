import { eventuallyAsync } from '../helpers/eventually';
import { expectFailure } from '../media/support/expect-failure';
import { patternBytes, patternStream } from '../stand-ins/supabase-storage/generated-source';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';
import { realSupabaseBackend } from './backends';
import { openTestBucketStorage, realSupabaseFromEnv, type SupabaseProject } from './supabase-test-bucket';

/**
 * The contract suite's real-Supabase mode (SUPABASE_TEST_URL, SUPABASE_TEST_SERVICE_ROLE_KEY), pointed at a
 * stand-in: how it reads the environment, and that the bucket it makes is its own and leaves nothing behind.
 */

describe('reading SUPABASE_TEST_URL and SUPABASE_TEST_SERVICE_ROLE_KEY', () => {
  it('is off without them, so the real suite shows as skipped', () => {
    expect(realSupabaseFromEnv({})).toBeNull();
    expect(realSupabaseFromEnv({ SUPABASE_TEST_URL: ' ', SUPABASE_TEST_SERVICE_ROLE_KEY: '' })).toBeNull();
  });

  it('takes the project URL and key', () => {
    expect(
      realSupabaseFromEnv({ SUPABASE_TEST_URL: 'https://abc.supabase.co/', SUPABASE_TEST_SERVICE_ROLE_KEY: 'key' }),
    ).toEqual({ url: 'https://abc.supabase.co', serviceRoleKey: 'key', requestTimeoutMs: 60_000 });
  });

  it('refuses one without the other, and a URL that is not the project URL', () => {
    expect(() => realSupabaseFromEnv({ SUPABASE_TEST_URL: 'https://abc.supabase.co' })).toThrow(
      'SUPABASE_TEST_SERVICE_ROLE_KEY is not set',
    );
    expect(() => realSupabaseFromEnv({ SUPABASE_TEST_SERVICE_ROLE_KEY: 'key' })).toThrow(
      'SUPABASE_TEST_URL is not set',
    );
    for (const url of ['abc.supabase.co', 'https://abc.supabase.co/storage/v1']) {
      expect(() => realSupabaseFromEnv({ SUPABASE_TEST_URL: url, SUPABASE_TEST_SERVICE_ROLE_KEY: 'key' })).toThrow(
        'SUPABASE_TEST_URL must be the project URL',
      );
    }
  });

  it('sizes the largest contract clip by SUPABASE_TEST_LARGE_CLIP_MB (a Free-plan project takes 50 MB)', () => {
    const project = { url: 'https://abc.supabase.co', serviceRoleKey: 'key', requestTimeoutMs: 60_000 };
    expect(realSupabaseBackend(project, {}).largeClipBytes).toBe(200 * 1024 * 1024);
    expect(realSupabaseBackend(project, { SUPABASE_TEST_LARGE_CLIP_MB: '45' }).largeClipBytes).toBe(45 * 1024 * 1024);
    expect(() => realSupabaseBackend(project, { SUPABASE_TEST_LARGE_CLIP_MB: 'lots' })).toThrow(
      'SUPABASE_TEST_LARGE_CLIP_MB must be a positive number',
    );
  });
});

describe('a test bucket on the project SUPABASE_TEST_URL names (here: a stand-in)', () => {
  let server: StorageServer;
  let project: SupabaseProject;

  beforeEach(async () => {
    server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
    project = realSupabaseFromEnv({
      SUPABASE_TEST_URL: server.url,
      SUPABASE_TEST_SERVICE_ROLE_KEY: server.keys.serviceRoleKey,
    }) as SupabaseProject;
  });
  afterEach(async () => {
    await server.close();
  });

  it('is a private video/mp4 bucket of its own, which closing removes with everything in it', async () => {
    const first = await openTestBucketStorage(project, {
      storage: { standardUploadMaxBytes: 64 * 1024, resumableChunkBytes: 64 * 1024 },
    });
    const second = await openTestBucketStorage(project);
    const name = first.bucket.name;
    expect(name).toMatch(/^clipgen-test-\d{14}-[0-9a-f]{8}$/);
    expect(second.bucket.name).not.toBe(name);
    expect(server.bucket(name)).toMatchObject({ public: false, allowed_mime_types: ['video/mp4'] });

    // Objects in nested folders, by standard and resumable upload, and one another client stored.
    await first.storage.put('job-1/clip_0.mp4', patternStream(1000), { contentType: 'video/mp4' });
    await first.storage.put('job-2/deep/clip_1.mp4', patternStream(300_000), { contentType: 'video/mp4' });
    await first.bucket.files.upload('top.mp4', patternBytes(10), { contentType: 'video/mp4' });
    await expect(first.leftovers()).resolves.toEqual(['job-1/clip_0.mp4', 'job-2/deep/clip_1.mp4', 'top.mp4']);
    await expect(first.contents('job-1/clip_0.mp4')).resolves.toEqual(patternBytes(1000));
    await expect(first.contents('job-1/missing.mp4')).resolves.toBeNull();

    await first.close();
    expect(server.bucket(name)).toBeUndefined();
    expect(server.bucket(second.bucket.name)).toBeDefined();
    expect(server.bucket('video-clips')).toBeDefined();
    expect(server.requests.filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([
      `/object/${name}`,
      `/bucket/${name}`,
    ]);
    await second.close();
    expect(server.bucket(second.bucket.name)).toBeUndefined();
  });

  it('cleans up after a case that failed midway: its unfinished upload and the objects before it', async () => {
    const opened = await openTestBucketStorage(project, {
      storage: { standardUploadMaxBytes: 64 * 1024, resumableChunkBytes: 64 * 1024 },
    });
    await opened.storage.put('job-1/clip_0.mp4', patternStream(1000), { contentType: 'video/mp4' });
    server.faults.add('tus-patch', { kind: 'status', status: 500 }, { skip: 1 });
    await expectFailure(
      opened.storage.put('job-1/clip_1.mp4', patternStream(300_000), { contentType: 'video/mp4' }),
      'RetryableError',
    );
    await opened.close();
    expect(server.bucket(opened.bucket.name)).toBeUndefined();
  });

  it('empties again when an object lands between emptying and deleting the bucket', async () => {
    const opened = await openTestBucketStorage(project);
    const name = opened.bucket.name;
    await opened.storage.put('job-1/clip_0.mp4', patternStream(1000), { contentType: 'video/mp4' });
    const deletes = (path: string) =>
      server.requests.filter((request) => request.method === 'DELETE' && request.path === path);
    // The bucket's deletion waits a moment; an object lands meanwhile, so Storage answers "409" not empty.
    server.faults.add('bucket', { kind: 'slow', delayMs: 500 });
    const removing = opened.close();
    await eventuallyAsync(async () => deletes(`/object/${name}`).length === 1, 5_000, 10);
    await opened.bucket.files.upload('late.mp4', patternBytes(10), { contentType: 'video/mp4' });
    await removing;
    expect(deletes(`/bucket/${name}`).map((request) => request.status)).toEqual([400, 200]);
    expect(deletes(`/object/${name}`)).toHaveLength(2);
    expect(server.bucket(name)).toBeUndefined();
  });

  it('says which bucket it could not remove, so it can be deleted by hand, and still stops what it started', async () => {
    let afterClose = 0;
    const opened = await openTestBucketStorage(project, { afterClose: async () => void (afterClose += 1) });
    server.faults.add('bucket', { kind: 'status', status: 500 }, { times: 10 });
    await expect(opened.close()).rejects.toThrow(
      `Could not delete test bucket "${opened.bucket.name}" on ${server.url}: Internal Server Error; delete it by hand`,
    );
    expect(afterClose).toBe(1);
    server.faults.clear();
    await opened.bucket.remove();
    expect(server.bucket(opened.bucket.name)).toBeUndefined();
  });

  it('is fine with a bucket already gone', async () => {
    const opened = await openTestBucketStorage(project);
    await opened.bucket.remove();
    await expect(opened.close()).resolves.toBeUndefined();
  });

  it('stops what it started when the bucket cannot be created', async () => {
    let afterClose = 0;
    await expect(
      openTestBucketStorage(
        { ...project, serviceRoleKey: server.keys.anonKey },
        { afterClose: async () => void (afterClose += 1) },
      ),
    ).rejects.toThrow(
      /Could not create test bucket "clipgen-test-.*" on http:.*: new row violates row-level security policy/,
    );
    expect(afterClose).toBe(1);
  });
});
