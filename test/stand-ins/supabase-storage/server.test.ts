import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';
import { startStorageServer, type StorageServer } from './server';

let server: StorageServer;
let admin: SupabaseClient;

function client(key: string): SupabaseClient {
  return createClient(server.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never },
  });
}

beforeEach(async () => {
  server = await startStorageServer({ buckets: [{ id: 'clips' }, { id: 'open', public: true }] });
  admin = client(server.keys.serviceRoleKey);
});
afterEach(async () => {
  await server.close();
});

const clips = () => admin.storage.from('clips');
const mp4 = (text: string) => Buffer.from(text);

/** The local Storage server answers supabase-js as Supabase Storage does. */
describe('local Supabase Storage server', () => {
  it('uploads with and without upsert: a second plain upload is 400 "409" Duplicate', async () => {
    const first = await clips().upload('a/b.mp4', mp4('one'), { contentType: 'video/mp4' });
    expect(first).toEqual({
      data: { path: 'a/b.mp4', id: expect.any(String), fullPath: 'clips/a/b.mp4' },
      error: null,
    });
    const duplicate = await clips().upload('a/b.mp4', mp4('two'), { contentType: 'video/mp4' });
    expect(duplicate.error).toMatchObject({
      name: 'StorageApiError',
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    });
    await expect(clips().upload('a/b.mp4', mp4('three'), { upsert: true })).resolves.toMatchObject({ error: null });
    await expect(clips().update('a/b.mp4', mp4('four'))).resolves.toMatchObject({ error: null });
    const { data } = await clips().download('a/b.mp4');
    expect(await data?.text()).toBe('four');
  });

  it('keeps content type, cache control and metadata of raw and multipart uploads', async () => {
    await clips().upload('raw.mp4', mp4('raw'), { contentType: 'video/mp4', cacheControl: '60', metadata: { k: 1 } });
    await clips().upload('form.mp4', new Blob(['form'], { type: 'video/webm' }), { metadata: { k: 2 } });
    await expect(clips().info('raw.mp4')).resolves.toMatchObject({
      data: { size: 3, contentType: 'video/mp4', cacheControl: 'max-age=60', metadata: { k: 1 }, bucketId: 'clips' },
    });
    await expect(clips().info('form.mp4')).resolves.toMatchObject({
      data: { size: 4, contentType: 'video/webm', cacheControl: 'max-age=3600', metadata: { k: 2 } },
    });
  });

  it('reports missing objects the way Storage does', async () => {
    await expect(clips().info('missing.mp4')).resolves.toMatchObject({
      data: null,
      error: { status: 400, statusCode: '404', message: 'Object not found' },
    });
    await expect(clips().exists('missing.mp4')).resolves.toMatchObject({ data: false });
    const head = await fetch(`${server.url}/storage/v1/object/clips/missing.mp4`, {
      method: 'HEAD',
      headers: { apikey: server.keys.serviceRoleKey, authorization: `Bearer ${server.keys.serviceRoleKey}` },
    });
    expect(head.status).toBe(400);
    expect(await head.text()).toBe('');
    const missingBucket = await admin.storage.from('nope').upload('x.mp4', mp4('x'));
    expect(missingBucket.error).toMatchObject({ status: 400, statusCode: '404', message: 'Bucket not found' });
  });

  it('lists files and folders, removes objects and returns the removed rows', async () => {
    for (const path of ['job/clip_0.mp4', 'job/clip_1.mp4', 'job/sub/clip_2.mp4', 'other.mp4']) {
      await clips().upload(path, mp4(path));
    }
    const listed = await clips().list('job');
    expect(listed.data?.map((entry) => [entry.name, entry.id === null])).toEqual([
      ['clip_0.mp4', false],
      ['clip_1.mp4', false],
      ['sub', true],
    ]);
    expect(listed.data?.[0].metadata).toMatchObject({ size: 14, mimetype: 'text/plain;charset=UTF-8' });
    const removed = await clips().remove(['job/clip_0.mp4', 'job/missing.mp4']);
    expect(removed.data?.map((row) => row.name)).toEqual(['job/clip_0.mp4']);
    await expect(clips().exists('job/clip_0.mp4')).resolves.toMatchObject({ data: false });
  });

  it('signs URLs (relative signedURL, token with url/iat/exp) and serves them without a key', async () => {
    await clips().upload('s.mp4', mp4('signed'), { contentType: 'video/mp4' });
    const { data } = await clips().createSignedUrl('s.mp4', 60);
    expect(data?.signedUrl).toMatch(new RegExp(`^${server.url}/storage/v1/object/sign/clips/s.mp4\\?token=`));
    const served = await fetch(data!.signedUrl);
    expect([served.status, await served.text(), served.headers.get('content-type')]).toEqual([
      200,
      'signed',
      'video/mp4',
    ]);

    const token = new URL(data!.signedUrl).searchParams.get('token');
    const tampered = await fetch(`${server.url}/storage/v1/object/sign/clips/s.mp4?token=${token}x`);
    expect(await tampered.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT' });
    const elsewhere = await fetch(`${server.url}/storage/v1/object/sign/clips/other.mp4?token=${token}`);
    expect(await elsewhere.json()).toMatchObject({ statusCode: '400', code: 'InvalidSignature' });

    const many = await clips().createSignedUrls(['s.mp4', 'missing.mp4'], 60);
    expect(many.data?.map((entry) => [entry.path, entry.signedUrl !== null, entry.error])).toEqual([
      ['s.mp4', true, null],
      ['missing.mp4', false, expect.any(String)],
    ]);
    await expect(clips().createSignedUrl('missing.mp4', 60)).resolves.toMatchObject({ error: { statusCode: '404' } });
  });

  it('serves public URLs of public buckets only, with byte ranges', async () => {
    await admin.storage.from('open').upload('p.mp4', mp4('0123456789'));
    const url = admin.storage.from('open').getPublicUrl('p.mp4').data.publicUrl;
    const ranged = await fetch(url, { headers: { range: 'bytes=4-' } });
    expect([ranged.status, ranged.headers.get('content-range'), await ranged.text()]).toEqual([
      206,
      'bytes 4-9/10',
      '456789',
    ]);
    await clips().upload('p.mp4', mp4('hidden'));
    const hidden = await fetch(clips().getPublicUrl('p.mp4').data.publicUrl);
    expect([hidden.status, (await hidden.json()).code]).toEqual([400, 'NoSuchBucket']);
  });

  it('creates, gets and lists buckets for the service role; 409 for an existing one', async () => {
    await expect(
      admin.storage.createBucket('new', { public: false, fileSizeLimit: '1MB', allowedMimeTypes: ['video/mp4'] }),
    ).resolves.toEqual({ data: { name: 'new' }, error: null });
    await expect(admin.storage.getBucket('new')).resolves.toMatchObject({
      data: { id: 'new', public: false, file_size_limit: 1024 * 1024, allowed_mime_types: ['video/mp4'] },
    });
    expect((await admin.storage.listBuckets()).data?.map((bucket) => bucket.id)).toEqual(['clips', 'open', 'new']);
    await expect(admin.storage.createBucket('new')).resolves.toMatchObject({ error: { statusCode: '409' } });
    await expect(admin.storage.getBucket('nope')).resolves.toMatchObject({ error: { statusCode: '404' } });
  });

  it('enforces bucket size limits and MIME allow-lists', async () => {
    server.createBucket('strict', { fileSizeLimit: 5, allowedMimeTypes: ['video/*'] });
    const strict = admin.storage.from('strict');
    await expect(strict.upload('big.mp4', mp4('123456'), { contentType: 'video/mp4' })).resolves.toMatchObject({
      error: { status: 400, statusCode: '413', message: 'The object exceeded the maximum allowed size' },
    });
    await expect(strict.upload('a.png', mp4('1'), { contentType: 'image/png' })).resolves.toMatchObject({
      error: { status: 400, statusCode: '415', message: 'mime type image/png is not supported' },
    });
    await expect(strict.upload('ok.mp4', mp4('12345'), { contentType: 'video/mp4' })).resolves.toMatchObject({
      error: null,
    });
  });

  it('checks the apikey at the gateway and the JWT and role in Storage', async () => {
    const noKey = await fetch(`${server.url}/storage/v1/object/clips/x.mp4`, { method: 'POST', body: 'x' });
    expect([noKey.status, (await noKey.json()).message]).toEqual([401, 'No API key found in request']);
    const anon = await client(server.keys.anonKey).storage.from('clips').upload('x.mp4', mp4('x'));
    expect(anon.error).toMatchObject({ status: 400, statusCode: '403', message: expect.stringContaining('row-level') });
    const badJwt = await fetch(`${server.url}/storage/v1/object/clips/x.mp4`, {
      method: 'POST',
      headers: { apikey: server.keys.anonKey, authorization: 'Bearer not-a-jwt' },
      body: 'x',
    });
    expect(await badJwt.json()).toEqual({
      statusCode: '403',
      error: 'Unauthorized',
      message: 'Invalid Compact JWS',
      code: 'AccessDenied',
    });
  });

  it('speaks TUS: creation, offset checks, HEAD and completion into an object', async () => {
    const endpoint = `${server.url}/storage/v1/upload/resumable`;
    const auth = { apikey: server.keys.serviceRoleKey, authorization: `Bearer ${server.keys.serviceRoleKey}` };
    const tus = { ...auth, 'tus-resumable': '1.0.0' };
    const meta = (pairs: Record<string, string>) =>
      Object.entries(pairs)
        .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
        .join(',');
    const metadata = meta({ bucketName: 'clips', objectName: 't.mp4', contentType: 'video/mp4', cacheControl: '60' });

    expect((await fetch(endpoint, { method: 'POST', headers: auth })).status).toBe(412);
    const noLength = await fetch(endpoint, { method: 'POST', headers: { ...tus, 'upload-metadata': metadata } });
    expect(noLength.status).toBe(400);
    const created = await fetch(endpoint, {
      method: 'POST',
      headers: { ...tus, 'upload-length': '6', 'upload-metadata': metadata },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(location.startsWith(`${endpoint}/`)).toBe(true);

    const patch = (offset: number, body: string, type = 'application/offset+octet-stream') =>
      fetch(location, {
        method: 'PATCH',
        headers: { ...tus, 'content-type': type, 'upload-offset': String(offset) },
        body,
      });
    expect((await patch(0, 'abc', 'text/plain')).status).toBe(403);
    const first = await patch(0, 'abc');
    expect([first.status, first.headers.get('upload-offset')]).toEqual([204, '3']);
    const conflict = await patch(0, 'abc');
    expect([conflict.status, await conflict.text()]).toEqual([409, 'Upload-Offset conflict\n']);
    const head = await fetch(location, { method: 'HEAD', headers: tus });
    expect([head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual(['3', '6']);
    const last = await patch(3, 'def');
    expect([last.status, last.headers.get('tus-complete')]).toEqual([204, '1']);
    await expect(clips().info('t.mp4')).resolves.toMatchObject({
      data: { size: 6, contentType: 'video/mp4', cacheControl: 'max-age=60' },
    });

    const again = await fetch(endpoint, {
      method: 'POST',
      headers: { ...tus, 'upload-length': '6', 'upload-metadata': metadata },
    });
    expect([again.status, await again.text()]).toEqual([409, 'The resource already exists']);
    server.createBucket('small', { fileSizeLimit: 5 });
    const tooBig = await fetch(endpoint, {
      method: 'POST',
      headers: { ...tus, 'upload-length': '6', 'upload-metadata': meta({ bucketName: 'small', objectName: 'x' }) },
    });
    expect([tooBig.status, await tooBig.text()]).toEqual([413, 'Maximum size exceeded\n']);
  });

  it('injects a gateway 502 page that supabase-js reports with the HTTP status', async () => {
    server.faults.add('object-upload', { kind: 'status', status: 502 });
    const { error } = await clips().upload('x.mp4', mp4('x'));
    expect(error).toMatchObject({ status: 502, statusCode: '502', message: 'Bad Gateway' });
  });
});
