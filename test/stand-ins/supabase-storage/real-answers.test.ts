import { patternBytes } from './generated-source';
import { startStorageServer, type StorageServer, type StorageServerOptions } from './server';

/**
 * The stand-in answers as the real Storage API server (supabase/storage v1.70, behind a gateway that sets
 * X-Forwarded-Prefix) was seen to answer, case by case: docs/testing.md, "Fidelity", lists the same cases.
 */

const LIMIT = 50 * 1024 * 1024;
let server: StorageServer;

async function start(options: StorageServerOptions = {}) {
  server = await startStorageServer({
    fileSizeLimit: LIMIT,
    buckets: [{ id: 'clips' }, { id: 'small', fileSizeLimit: 10 }, { id: 'open', public: true }],
    ...options,
  });
  for (const [bucket, name] of [
    ['clips', 'there.mp4'],
    ['open', 'p.mp4'],
  ]) {
    const response = await rest('POST', `/object/${bucket}/${name}`, { body: patternBytes(300) });
    expect(response.status).toBe(200);
  }
}
afterEach(async () => {
  await server.close();
});

const service = () => ({ apikey: server.keys.serviceRoleKey, authorization: `Bearer ${server.keys.serviceRoleKey}` });

/** A request below /storage/v1, with the service role key unless `headers` say otherwise. */
function rest(method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return fetch(`${server.url}/storage/v1${path}`, {
    method,
    headers: { ...service(), 'content-type': 'video/mp4', ...init.headers },
    body: typeof init.body === 'string' ? init.body : init.body && Uint8Array.from(init.body),
  });
}

const tusHeaders = (extra: Record<string, string> = {}) => ({ ...service(), 'tus-resumable': '1.0.0', ...extra });
const metadata = (pairs: Record<string, string>) =>
  Object.entries(pairs)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
const tusCreate = (length: number, pairs: Record<string, string> | null, extra: Record<string, string> = {}) =>
  fetch(`${server.url}/storage/v1/upload/resumable`, {
    method: 'POST',
    headers: tusHeaders({
      'upload-length': String(length),
      ...(pairs ? { 'upload-metadata': metadata(pairs) } : {}),
      ...extra,
    }),
  });

/** Storage's REST error: HTTP 400 (or 5xx) and four strings, the real code in `statusCode`. */
async function expectRestError(
  response: Response,
  body: Partial<Record<'statusCode' | 'error' | 'message' | 'code', string>>,
) {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const json = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(json)).toEqual(['statusCode', 'error', 'message', 'code']);
  expect(Object.values(json).every((value) => typeof value === 'string')).toBe(true);
  expect(json).toMatchObject(body);
}

/** TUS routes: the real status, and plain text. */
async function expectTusError(response: Response, status: number, text: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  expect((await response.text()).trim()).toBe(text);
}

describe('the stand-in answers as the real Storage API server', () => {
  beforeEach(() => start());

  describe('REST errors: HTTP 400, {statusCode, error, message, code}', () => {
    it('GET an object of a missing bucket: "404" NoSuchBucket', async () => {
      await expectRestError(await rest('GET', '/object/nope/there.mp4'), {
        statusCode: '404',
        error: 'Bucket not found',
        message: 'Bucket not found',
        code: 'NoSuchBucket',
      });
      // Object info looks the bucket up the same way (so a missing bucket is not a missing object).
      await expectRestError(await rest('GET', '/object/info/nope/there.mp4'), { code: 'NoSuchBucket' });
    });

    it('GET a missing object: "404" NoSuchKey', async () => {
      await expectRestError(await rest('GET', '/object/clips/missing.mp4'), {
        statusCode: '404',
        error: 'not_found',
        message: 'Object not found',
        code: 'NoSuchKey',
      });
    });

    it('an upload over the bucket\'s file size limit: "413" EntityTooLarge', async () => {
      await expectRestError(await rest('POST', '/object/small/big.mp4', { body: patternBytes(11) }), {
        statusCode: '413',
        error: 'Payload too large',
        code: 'EntityTooLarge',
      });
      expect(server.object('small', 'big.mp4')).toBeUndefined();
    });

    it('no Authorization on a private bucket: "404" Bucket not found (row-level security hides it)', async () => {
      const apikeyOnly = { apikey: server.keys.anonKey, authorization: '' };
      await expectRestError(await rest('GET', '/object/clips/there.mp4', { headers: apikeyOnly }), {
        statusCode: '404',
        message: 'Bucket not found',
      });
      await expectRestError(await rest('GET', '/object/info/clips/there.mp4', { headers: apikeyOnly }), {
        statusCode: '404',
        message: 'Bucket not found',
      });
      // …while a public bucket's objects are served without one.
      expect((await rest('GET', '/object/open/p.mp4', { headers: apikeyOnly })).status).toBe(200);
    });

    it('a garbage bearer token: "403" AccessDenied with jose\'s words', async () => {
      const garbage = { apikey: server.keys.anonKey, authorization: 'Bearer garbage' };
      await expectRestError(await rest('POST', '/object/clips/x.mp4', { headers: garbage, body: 'x' }), {
        statusCode: '403',
        error: 'Unauthorized',
        message: 'Invalid Compact JWS',
        code: 'AccessDenied',
      });
    });

    it('creating a bucket that exists: "409"', async () => {
      await expectRestError(await rest('POST', '/bucket', { body: JSON.stringify({ id: 'clips', name: 'clips' }) }), {
        statusCode: '409',
        message: 'The resource already exists',
      });
    });

    it('an upload onto an existing object without upsert: "409"', async () => {
      await expectRestError(await rest('POST', '/object/clips/there.mp4', { body: 'again' }), {
        statusCode: '409',
        message: 'The resource already exists',
      });
    });

    it('a tampered signed URL: "400" InvalidJWT', async () => {
      const signed = await rest('POST', '/object/sign/clips/there.mp4', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expiresIn: 60 }),
      });
      const { signedURL } = (await signed.json()) as { signedURL: string };
      const tampered = await fetch(`${server.url}/storage/v1${signedURL}x`);
      await expectRestError(tampered, { statusCode: '400', error: 'InvalidJWT' });
    });

    it('deleting a bucket that is not empty: "409"; empty, it goes', async () => {
      await expectRestError(await rest('DELETE', '/bucket/clips'), {
        statusCode: '409',
        message: 'The bucket you tried to delete is not empty',
      });
      expect((await rest('POST', '/bucket/clips/empty')).status).toBe(200);
      expect((await rest('DELETE', '/bucket/clips')).status).toBe(200);
      expect(server.bucket('clips')).toBeUndefined();
      await expectRestError(await rest('DELETE', '/bucket/clips'), { statusCode: '404', code: 'NoSuchBucket' });
    });
  });

  describe('TUS: real statuses, plain text', () => {
    it('POST with an Upload-Length over the limit: 413 Maximum size exceeded', async () => {
      await expectTusError(
        await tusCreate(11, { bucketName: 'small', objectName: 'x.mp4' }),
        413,
        'Maximum size exceeded',
      );
      await expectTusError(
        await tusCreate(LIMIT + 1, { bucketName: 'clips', objectName: 'x.mp4' }),
        413,
        'Maximum size exceeded',
      );
    });

    it('POST to a missing bucket: 404 Bucket not found', async () => {
      await expectTusError(await tusCreate(10, { bucketName: 'nope', objectName: 'x.mp4' }), 404, 'Bucket not found');
    });

    it('POST without Upload-Metadata: 400 Metadata header is required', async () => {
      await expectTusError(await tusCreate(10, null), 400, 'Metadata header is required');
    });

    it('POST onto an existing object without x-upsert: 409; with it, 201', async () => {
      const there = { bucketName: 'clips', objectName: 'there.mp4' };
      await expectTusError(await tusCreate(10, there), 409, 'The resource already exists');
      expect((await tusCreate(10, there, { 'x-upsert': 'true' })).status).toBe(201);
    });

    it('HEAD of an unknown upload: 404, empty', async () => {
      const unknown = Buffer.from('clips/x.mp4/00000000-0000-0000-0000-000000000000').toString('base64url');
      const head = await fetch(`${server.url}/storage/v1/upload/resumable/${unknown}`, {
        method: 'HEAD',
        headers: tusHeaders(),
      });
      expect(head.status).toBe(404);
      expect(await head.text()).toBe('');
    });

    it('PATCH at a wrong Upload-Offset: 409 Upload-Offset conflict', async () => {
      const created = await tusCreate(10, { bucketName: 'clips', objectName: 'y.mp4' });
      const patch = await fetch(created.headers.get('location') ?? '', {
        method: 'PATCH',
        headers: tusHeaders({ 'content-type': 'application/offset+octet-stream', 'upload-offset': '3' }),
        body: 'abc',
      });
      await expectTusError(patch, 409, 'Upload-Offset conflict');
    });

    it('OPTIONS: 204 with the extensions and Tus-Max-Size, the configured limit', async () => {
      const options = await fetch(`${server.url}/storage/v1/upload/resumable`, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('tus-extension')).toBe(
        'creation,creation-with-upload,creation-defer-length,termination,expiration',
      );
      expect(options.headers.get('tus-max-size')).toBe(String(LIMIT));
    });

    it('Location: {SUPABASE_URL}/storage/v1/upload/resumable/<base64url of bucket/object/version>', async () => {
      const created = await tusCreate(10, { bucketName: 'clips', objectName: 'dir/z.mp4' });
      expect(created.status).toBe(201);
      const location = created.headers.get('location') ?? '';
      const id = location.slice(`${server.url}/storage/v1/upload/resumable/`.length);
      expect(location).toBe(`${server.url}/storage/v1/upload/resumable/${id}`);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(id, 'base64url').toString()).toMatch(/^clips\/dir\/z\.mp4\/[0-9a-f-]{36}$/);
    });
  });

  describe('reads without a key', () => {
    it('a signed URL serves without auth: 200, and 206 for Range: bytes=0-99', async () => {
      const signed = await rest('POST', '/object/sign/clips/there.mp4', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expiresIn: 60 }),
      });
      const url = `${server.url}/storage/v1${((await signed.json()) as { signedURL: string }).signedURL}`;
      expect((await fetch(url)).status).toBe(200);
      const ranged = await fetch(url, { headers: { range: 'bytes=0-99' } });
      expect([ranged.status, ranged.headers.get('content-range')]).toEqual([206, 'bytes 0-99/300']);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(patternBytes(300).subarray(0, 100))).toBe(true);
    });

    it("a public bucket's public URL serves without auth: 200", async () => {
      expect((await fetch(`${server.url}/storage/v1/object/public/open/p.mp4`)).status).toBe(200);
    });
  });
});

describe('a self-hosted Storage API server behind a plain proxy (no apikey check, no X-Forwarded-Prefix)', () => {
  beforeEach(() => start({ gateway: { checksApikey: false, sendsForwardedPrefix: false } }));

  it('needs no apikey, still checks the JWT', async () => {
    const bearerOnly = { apikey: '', authorization: `Bearer ${server.keys.serviceRoleKey}` };
    expect((await rest('GET', '/object/clips/there.mp4', { headers: bearerOnly })).status).toBe(200);
    await expectRestError(
      await rest('POST', '/object/clips/x.mp4', {
        headers: { apikey: '', authorization: 'Bearer garbage' },
        body: 'x',
      }),
      { statusCode: '403', message: 'Invalid Compact JWS' },
    );
  });

  it('answers a TUS creation with a Location that lacks the prefix', async () => {
    const created = await tusCreate(10, { bucketName: 'clips', objectName: 'z.mp4' });
    expect(created.headers.get('location')).toMatch(new RegExp(`^${server.url}/upload/resumable/[A-Za-z0-9_-]+$`));
  });
});
