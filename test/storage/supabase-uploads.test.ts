import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { createSupabaseStorage, type SupabaseStorageOptions } from '../../src/storage/supabase';
import { patternBytes, patternSha256, patternStream } from '../stand-ins/supabase-storage/generated-source';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';

const KB = 1024;
const UPLOADS = { standardUploadMaxBytes: 64 * KB, resumableChunkBytes: 64 * KB };

let server: StorageServer;

beforeEach(async () => {
  server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
});
afterEach(async () => {
  await server.close();
});

function storage(options: Partial<SupabaseStorageOptions> = {}) {
  return createSupabaseStorage({ url: server.url, serviceRoleKey: server.keys.serviceRoleKey, ...UPLOADS, ...options });
}

/** What another supabase-js user (the next pipeline stage) sees of an object. */
async function info(path: string) {
  const client = createClient(server.url, server.keys.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
  });
  const { data, error } = await client.storage.from('video-clips').info(path);
  if (error) throw error;
  return data;
}

const patches = () => server.requests.filter((request) => request.method === 'PATCH');

describe('Supabase uploads', () => {
  it('sends a clip up to the standard size in one upload, with type, cache control, size and sha256', async () => {
    const size = 64 * KB;
    await storage().put('job/clip_0.mp4', patternStream(size), { contentType: 'video/mp4', expectedBytes: size });
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /object/video-clips/job/clip_0.mp4',
      'POST /object/sign/video-clips/job/clip_0.mp4',
    ]);
    expect(await info('job/clip_0.mp4')).toMatchObject({
      size,
      contentType: 'video/mp4',
      cacheControl: 'max-age=3600',
      metadata: { size, sha256: patternSha256(size) },
    });
  });

  it('sends a larger clip through the resumable upload, one PATCH per chunk, with type, cache control and size', async () => {
    const size = 64 * KB * 4 + 10;
    await storage({ cacheControlSeconds: 60 }).put('job/clip_1.mp4', patternStream(size), {
      contentType: 'video/mp4',
      expectedBytes: size,
    });
    expect(server.object('video-clips', 'job/clip_1.mp4')?.uploadType).toBe('resumable');
    expect(patches()).toHaveLength(5);
    expect(server.tusUploads()).toEqual([
      expect.objectContaining({ length: size, bytesReceived: size, completed: true }),
    ]);
    expect(await info('job/clip_1.mp4')).toMatchObject({
      size,
      contentType: 'video/mp4',
      cacheControl: 'max-age=60',
      metadata: { size },
    });
  });

  it.each([
    ['small', 20 * KB, 'standard'],
    ['large', 200 * KB, 'resumable'],
    ['an exact number of chunks', 64 * KB * 3, 'resumable'],
  ])('stores a %s clip whose length the source did not announce', async (_, size, uploadType) => {
    const stored = await storage().put('job/clip_2.mp4', patternStream(size), { contentType: 'video/mp4' });
    expect(stored).toMatchObject({ bytes: size, sha256: patternSha256(size) });
    expect(server.object('video-clips', 'job/clip_2.mp4')).toMatchObject({ size, uploadType });
    expect((await server.readObject('video-clips', 'job/clip_2.mp4')).equals(patternBytes(size))).toBe(true);
  });

  it('returns a signed URL valid for the configured lifetime, which serves the clip without a key', async () => {
    const stored = await storage({ signedUrlTtlSeconds: 90 }).put('job/clip_3.mp4', patternStream(1000), {
      contentType: 'video/mp4',
    });
    const url = new URL(stored.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/storage/v1/object/sign/video-clips/job/clip_3.mp4`);
    const token = url.searchParams.get('token') ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(90);
    const response = await fetch(stored.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await response.arrayBuffer()).equals(patternBytes(1000))).toBe(true);
  });

  it('returns the public URL in public mode; only a public bucket serves it', async () => {
    server.createBucket('public-clips', { public: true });
    const publicStore = storage({ urlMode: 'public', bucket: 'public-clips' });
    const stored = await publicStore.put('job/clip_4.mp4', patternStream(1000), { contentType: 'video/mp4' });
    expect(stored.url).toBe(`${server.url}/storage/v1/object/public/public-clips/job/clip_4.mp4`);
    expect((await fetch(stored.url)).status).toBe(200);
    expect(server.requests.some((request) => request.path.startsWith('/object/sign'))).toBe(false);

    const privateStore = storage({ urlMode: 'public' });
    const hidden = await privateStore.put('job/clip_4.mp4', patternStream(1000), { contentType: 'video/mp4' });
    const refused = await fetch(hidden.url);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      statusCode: '404',
      error: 'Bucket not found',
      message: 'Bucket not found',
      code: 'NoSuchBucket',
    });
  });

  it('overwrites an object another client stored, instead of failing with 409 Duplicate', async () => {
    const other = await fetch(`${server.url}/storage/v1/object/video-clips/job/clip_5.mp4`, {
      method: 'POST',
      headers: {
        apikey: server.keys.serviceRoleKey,
        authorization: `Bearer ${server.keys.serviceRoleKey}`,
        'content-type': 'video/mp4',
      },
      body: 'old bytes',
    });
    expect(other.status).toBe(200);
    for (const size of [1000, 200 * KB]) {
      const stored = await storage().put('job/clip_5.mp4', patternStream(size), { contentType: 'video/mp4' });
      expect(stored.bytes).toBe(size);
      expect(server.object('video-clips', 'job/clip_5.mp4')?.size).toBe(size);
    }
  });
});
