import type { ApplicationFailure } from '@temporalio/common';
import { openSupabaseClient, reportOf, timedFetch } from '../../src/storage/supabase-client';
import { failureFromReport } from '../../src/storage/supabase-failures';
import { createSupabaseStorage } from '../../src/storage/supabase';
import { TusClient, TusResponseError } from '../../src/storage/tus-client';
import { expectFailure } from '../media/support/expect-failure';
import { patternBytes, patternSha256, patternStream } from '../stand-ins/supabase-storage/generated-source';
import {
  startStorageServer,
  type StorageServer,
  type StorageServerOptions,
} from '../stand-ins/supabase-storage/server';

/**
 * What clipgen makes of each answer the real Storage API server gives (docs/testing.md, "Fidelity"): the answer as
 * the stand-in gives it, through the client clipgen uses for it (supabase-js for REST, TusClient for TUS), then
 * classified. Storage sends most errors as HTTP 400 with the real code in `statusCode`; the code decides.
 */

let server: StorageServer;

async function start(options: StorageServerOptions = {}) {
  server = await startStorageServer({
    buckets: [{ id: 'clips' }, { id: 'small', fileSizeLimit: 10 }],
    ...options,
  });
  const { error } = await admin().storage.from('clips').upload('there.mp4', patternBytes(300), {
    contentType: 'video/mp4',
  });
  if (error) throw error;
}
afterEach(async () => {
  await server.close();
});

const admin = (key = server.keys.serviceRoleKey) =>
  openSupabaseClient({ url: server.url, serviceRoleKey: key, requestTimeoutMs: 5_000 });

const CONTEXT = { doing: 'uploading clips/job/clip_0.mp4', bucket: 'clips' };

/** A supabase-js error, as clipgen's Supabase backend classifies it. */
function classifiedRest(error: unknown): ApplicationFailure {
  const report = reportOf(error);
  if (!report) throw new Error(`not a StorageApiError: ${String(error)}`);
  return failureFromReport(report, CONTEXT);
}

/** A TusClient request's failure, as clipgen's Supabase backend classifies it. */
async function classifiedTus(request: (tus: TusClient) => Promise<unknown>, options: { upsert?: boolean } = {}) {
  const headers = { apikey: server.keys.serviceRoleKey, authorization: `Bearer ${server.keys.serviceRoleKey}` };
  const timed = timedFetch(5_000);
  const tus = new TusClient({
    endpoint: `${server.url}/storage/v1/upload/resumable`,
    headers,
    // TusClient always upserts; leaving the header out shows what a writer without it would meet.
    fetch: (url, init) =>
      timed(url, {
        ...init,
        headers: Object.fromEntries(
          Object.entries(init?.headers as Record<string, string>).filter(
            ([name]) => options.upsert !== false || name !== 'x-upsert',
          ),
        ),
      }),
  });
  const error = await request(tus).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TusResponseError)) throw new Error(`expected a TusResponseError, got ${String(error)}`);
  return failureFromReport(error.report, CONTEXT);
}

const expectClassified = (failure: ApplicationFailure, type: string, message: RegExp) =>
  expectFailure(Promise.reject(failure), type, message);

const MISSING_BUCKET = /Supabase Storage has no bucket "clips".*STORAGE_CREATE_BUCKET=true.*service role key/;

describe('real Storage answers, classified', () => {
  beforeEach(() => start());

  it('REST "404" Bucket not found → InvalidInput saying how to create the bucket', async () => {
    const { error } = await admin().storage.from('nope').download('there.mp4');
    await expectClassified(classifiedRest(error), 'InvalidInput', MISSING_BUCKET);
  });

  it('REST "404" Object not found → RetryableError (gone between our upload and our next call)', async () => {
    const { error } = await admin().storage.from('clips').createSignedUrl('missing.mp4', 60);
    await expectClassified(classifiedRest(error), 'RetryableError', /no object .*Object not found \(statusCode 404/);
  });

  it('REST "413" EntityTooLarge → GenerationError', async () => {
    const { error } = await admin()
      .storage.from('small')
      .upload('big.mp4', patternBytes(11), { contentType: 'video/mp4' });
    await expectClassified(classifiedRest(error), 'GenerationError', /over .*limit.*statusCode 413/);
  });

  it('REST "409" onto an existing object → RetryableError (clipgen upserts: a concurrent writer)', async () => {
    const { error } = await admin()
      .storage.from('clips')
      .upload('there.mp4', patternBytes(5), { contentType: 'video/mp4' });
    await expectClassified(classifiedRest(error), 'RetryableError', /already exists \(statusCode 409, HTTP 400\)/);
  });

  it('REST "403" AccessDenied → AuthenticationError, never a bad request', async () => {
    const { error } = await admin(server.keys.anonKey)
      .storage.from('clips')
      .upload('x.mp4', patternBytes(5), { contentType: 'video/mp4' });
    await expectClassified(
      classifiedRest(error),
      'AuthenticationError',
      /statusCode 403, HTTP 400\).*SERVICE_ROLE_KEY/,
    );
  });

  it('TUS 413 Maximum size exceeded → GenerationError', async () => {
    const failure = await classifiedTus((tus) => tus.create(11, { bucketName: 'small', objectName: 'x.mp4' }));
    await expectClassified(failure, 'GenerationError', /Maximum size exceeded \(statusCode 413\)/);
  });

  it('TUS 404 Bucket not found → InvalidInput saying how to create the bucket', async () => {
    const failure = await classifiedTus((tus) => tus.create(10, { bucketName: 'nope', objectName: 'x.mp4' }));
    await expectClassified(failure, 'InvalidInput', MISSING_BUCKET);
  });

  it('TUS 409 onto an existing object without x-upsert → RetryableError', async () => {
    const failure = await classifiedTus((tus) => tus.create(10, { bucketName: 'clips', objectName: 'there.mp4' }), {
      upsert: false,
    });
    await expectClassified(failure, 'RetryableError', /The resource already exists \(statusCode 409\)/);
  });

  it('TUS 409 Upload-Offset conflict → RetryableError (the next attempt asks where the upload stands)', async () => {
    const failure = await classifiedTus(async (tus) => {
      const url = await tus.create(10, { bucketName: 'clips', objectName: 'y.mp4' });
      await tus.append(url, 3, new Uint8Array(3), null);
    });
    await expectClassified(failure, 'RetryableError', /Upload-Offset conflict \(statusCode 409\)/);
  });

  it('TUS HEAD 404 of an unknown upload → no upload to resume', async () => {
    const tus = new TusClient({
      endpoint: `${server.url}/storage/v1/upload/resumable`,
      headers: { apikey: server.keys.serviceRoleKey, authorization: `Bearer ${server.keys.serviceRoleKey}` },
      fetch,
    });
    const unknown = Buffer.from('clips/x.mp4/00000000-0000-0000-0000-000000000000').toString('base64url');
    await expect(tus.status(`${server.url}/storage/v1/upload/resumable/${unknown}`)).resolves.toBeNull();
  });
});

describe("clipgen's Supabase backend on real answers", () => {
  const storage = (options: { url?: string; key?: string; bucket?: string } = {}) =>
    createSupabaseStorage({
      url: options.url ?? server.url,
      serviceRoleKey: options.key ?? server.keys.serviceRoleKey,
      bucket: options.bucket ?? 'clips',
      standardUploadMaxBytes: 64 * 1024,
      resumableChunkBytes: 64 * 1024,
      requestTimeoutMs: 5_000,
    });
  const put = (client: ReturnType<typeof storage>, size: number) =>
    client.put('job/clip_0.mp4', patternStream(size), { contentType: 'video/mp4', expectedBytes: size });

  describe('behind the API gateway', () => {
    beforeEach(() => start());

    it('stat: a missing bucket is a failure saying so, not a missing object', async () => {
      await expectFailure(storage({ bucket: 'nope' }).stat('job/clip_0.mp4'), 'InvalidInput', /no bucket "nope"/);
      await expect(storage().stat('job/clip_0.mp4')).resolves.toBeNull();
    });

    it.each([1000, 200_000])(
      'a SUPABASE_URL with /storage/v1 on it (%d bytes) → InvalidInput saying so',
      async (size) => {
        await expectFailure(
          put(storage({ url: `${server.url}/storage/v1` }), size),
          'InvalidInput',
          /no such route .*SUPABASE_URL must be the project URL/,
        );
      },
    );
  });

  describe('a self-hosted Storage API server behind a plain proxy', () => {
    beforeEach(() => start({ gateway: { checksApikey: false, sendsForwardedPrefix: false } }));

    it.each([1000, 200_000])(
      'a key that is no JWT (%d bytes) → AuthenticationError: "403" Invalid Compact JWS',
      async (size) => {
        await expectFailure(
          put(storage({ key: 'not-a-jwt' }), size),
          'AuthenticationError',
          /Invalid Compact JWS \(statusCode 403/,
        );
      },
    );

    it('stat with a key that is no JWT: the private bucket is hidden, and the failure says the key may be why', async () => {
      await expectFailure(storage({ key: 'not-a-jwt' }).stat('there.mp4'), 'InvalidInput', MISSING_BUCKET);
    });

    it('uploads resumably although the TUS Location lacks /storage/v1 (only its id is used)', async () => {
      const stored = await put(storage(), 200_000);
      expect(stored.sha256).toBe(patternSha256(200_000));
      expect(server.object('clips', 'job/clip_0.mp4')).toMatchObject({ size: 200_000, uploadType: 'resumable' });
    });
  });
});
