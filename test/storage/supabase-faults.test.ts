import { createSupabaseStorage } from '../../src/storage/supabase';
import type { StorageClient } from '../../src/storage/types';
import { expectFailure } from '../media/support/expect-failure';
import type { Fault, FaultTarget } from '../stand-ins/supabase-storage/faults';
import { patternBytes, patternSha256, patternStream } from '../stand-ins/supabase-storage/generated-source';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';

const SMALL = 30_000;
const LARGE = 300_000;
/** Small thresholds so that a 300 kB clip takes the resumable path in five chunks. */
const UPLOADS = { standardUploadMaxBytes: 64 * 1024, resumableChunkBytes: 64 * 1024, requestTimeoutMs: 1_000 };

let server: StorageServer;
let storage: StorageClient;

beforeEach(async () => {
  server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
  storage = storageWithKey(server.keys.serviceRoleKey);
});
afterEach(async () => {
  await server.close();
});

function storageWithKey(key: string, options: Partial<typeof UPLOADS> & { urlMode?: 'public' | 'signed' } = {}) {
  return createSupabaseStorage({ url: server.url, serviceRoleKey: key, ...UPLOADS, ...options });
}

const store = (client: StorageClient, size: number) =>
  client.put('job-1/clip_0.mp4', patternStream(size), { contentType: 'video/mp4', expectedBytes: size });

/** The connection went away mid-request: undici says so in one of these ways, depending on timing. */
const DROPPED =
  /failed uploading video-clips\/job-1\/clip_0.mp4: fetch failed: .*(other side closed|ECONNRESET|EPIPE|socket)/;

type Case = [target: FaultTarget, fault: Fault, size: number, type: string, message: RegExp];

const RETRYABLE_CASES: Case[] = [
  ['object-upload', { kind: 'status', status: 500 }, SMALL, 'RetryableError', /Internal Server Error \(statusCode 500/],
  ['object-upload', { kind: 'status', status: 429 }, SMALL, 'RetryableError', /statusCode 429/],
  ['object-upload', { kind: 'status', status: 544 }, SMALL, 'RetryableError', /statusCode 544/],
  ['object-upload', { kind: 'status', status: 502 }, SMALL, 'RetryableError', /Bad Gateway \(statusCode 502\)/],
  ['object-upload', { kind: 'drop' }, SMALL, 'RetryableError', DROPPED],
  ['object-upload', { kind: 'drop-after', bytes: 10_000 }, SMALL, 'RetryableError', DROPPED],
  ['object-upload', { kind: 'slow', delayMs: 3_000 }, SMALL, 'RetryableError', /no answer within 1000 ms/],
  ['tus-create', { kind: 'status', status: 500 }, LARGE, 'RetryableError', /statusCode 500/],
  ['tus-create', { kind: 'status', status: 429 }, LARGE, 'RetryableError', /statusCode 429/],
  ['tus-create', { kind: 'status', status: 544 }, LARGE, 'RetryableError', /statusCode 544/],
  ['tus-create', { kind: 'status', status: 502 }, LARGE, 'RetryableError', /Bad Gateway \(statusCode 502\)/],
  ['tus-create', { kind: 'drop' }, LARGE, 'RetryableError', DROPPED],
  ['tus-patch', { kind: 'status', status: 500 }, LARGE, 'RetryableError', /statusCode 500/],
  ['tus-patch', { kind: 'drop' }, LARGE, 'RetryableError', DROPPED],
  ['tus-patch', { kind: 'drop-after', bytes: 10_000 }, LARGE, 'RetryableError', DROPPED],
  ['tus-patch', { kind: 'slow', delayMs: 3_000 }, LARGE, 'RetryableError', /no answer within 1000 ms/],
  [
    'sign',
    { kind: 'status', status: 500 },
    SMALL,
    'RetryableError',
    /signing a URL for video-clips\/job-1\/clip_0.mp4/,
  ],
];

const FINAL_CASES: Case[] = [
  [
    'object-upload',
    { kind: 'unauthorized' },
    SMALL,
    'AuthenticationError',
    /Invalid API key.*SUPABASE_SERVICE_ROLE_KEY/,
  ],
  ['object-upload', { kind: 'too-large' }, SMALL, 'GenerationError', /over the project's upload size limit/],
  ['tus-create', { kind: 'unauthorized' }, LARGE, 'AuthenticationError', /Invalid API key/],
  ['tus-create', { kind: 'too-large' }, LARGE, 'GenerationError', /over the project's upload size limit/],
  ['tus-patch', { kind: 'unauthorized' }, LARGE, 'AuthenticationError', /Invalid API key/],
  ['tus-patch', { kind: 'too-large' }, LARGE, 'GenerationError', /Maximum size exceeded/],
];

describe('Supabase storage faults', () => {
  it.each(RETRYABLE_CASES)(
    '%s %j on a %d-byte clip → %s, and the retry stores it',
    async (target, fault, size, type, message) => {
      server.faults.add(target, fault);
      await expectFailure(store(storage, size), type, message);
      const stored = await store(storage, size);
      expect(stored.sha256).toBe(patternSha256(size));
      expect((await server.readObject('video-clips', 'job-1/clip_0.mp4')).equals(patternBytes(size))).toBe(true);
    },
  );

  it.each(FINAL_CASES)('%s %j on a %d-byte clip → %s, not retried', async (target, fault, size, type, message) => {
    server.faults.add(target, fault);
    await expectFailure(store(storage, size), type, message);
    expect(server.object('video-clips', 'job-1/clip_0.mp4')).toBeUndefined();
  });

  it.each([SMALL, LARGE])(
    'a key of another project (%d bytes) is an AuthenticationError from the gateway',
    async (size) => {
      const foreign = await startStorageServer();
      await foreign.close();
      await expectFailure(
        store(storageWithKey(foreign.keys.serviceRoleKey), size),
        'AuthenticationError',
        /Invalid API key/,
      );
    },
  );

  it.each([SMALL, LARGE])(
    'the anon key (%d bytes) is refused by row-level security: AuthenticationError',
    async (size) => {
      await expectFailure(
        store(storageWithKey(server.keys.anonKey), size),
        'AuthenticationError',
        /row-level security policy \(statusCode 403/,
      );
    },
  );

  it.each([SMALL, LARGE])('a missing bucket (%d bytes) says how to create it: InvalidInput', async (size) => {
    const other = createSupabaseStorage({
      url: server.url,
      serviceRoleKey: server.keys.serviceRoleKey,
      bucket: 'renders',
      ...UPLOADS,
    });
    await expectFailure(store(other, size), 'InvalidInput', /no bucket "renders".*STORAGE_CREATE_BUCKET=true/);
  });

  it.each([SMALL, LARGE])(
    'a bucket that refuses video/mp4 (%d bytes) is an InvalidInput naming the MIME type',
    async (size) => {
      server.createBucket('images', { allowedMimeTypes: ['image/*'] });
      const images = createSupabaseStorage({
        url: server.url,
        serviceRoleKey: server.keys.serviceRoleKey,
        bucket: 'images',
        ...UPLOADS,
      });
      await expectFailure(
        store(images, size),
        'InvalidInput',
        /does not accept video\/mp4.*mime type video\/mp4 is not supported/,
      );
    },
  );

  it.each([
    [SMALL, /The object exceeded the maximum allowed size \(statusCode 413/],
    [LARGE, /Maximum size exceeded/],
  ])('a clip over the bucket’s size limit (%d bytes) is a GenerationError naming the limit', async (size, said) => {
    server.createBucket('tiny', { fileSizeLimit: 20_000 });
    const tiny = createSupabaseStorage({
      url: server.url,
      serviceRoleKey: server.keys.serviceRoleKey,
      bucket: 'tiny',
      ...UPLOADS,
    });
    const failure = await expectFailure(
      store(tiny, size),
      'GenerationError',
      /bucket "tiny"'s file size limit of 20000 bytes/,
    );
    expect(failure.message).toMatch(said);
    expect(server.object('tiny', 'job-1/clip_0.mp4')).toBeUndefined();
  });

  it('never puts the service key into a failure', async () => {
    server.faults.add('tus-patch', { kind: 'status', status: 500 });
    const failure = await expectFailure(store(storage, LARGE), 'RetryableError');
    expect(JSON.stringify({ message: failure.message, cause: String(failure.cause) })).not.toContain(
      server.keys.serviceRoleKey,
    );
  });
});
