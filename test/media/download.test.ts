import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOWNLOAD_POLICY, openDownload, type DownloadPolicy } from '../../src/media/download';
import { makeMp4 } from './support/make-media';
import { startMediaServer, type MediaServer } from './support/media-server';
import { expectFailure } from './support/expect-failure';
import { readAll } from './support/streams';

const policy: DownloadPolicy = {
  ...DEFAULT_DOWNLOAD_POLICY,
  connectTimeoutMs: 2_000,
  idleTimeoutMs: 2_000,
  totalTimeoutMs: 20_000,
  allowPrivateHosts: true,
};

let dir: string;
let server: MediaServer;
let clip: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipgen-download-'));
  clip = await readFile(await makeMp4(dir, 'clip.mp4', { frames: 49, fps: 8 }));
  server = await startMediaServer(dir);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openDownload', () => {
  it('streams the whole file with its length and type', async () => {
    const download = await openDownload(server.url('/files/clip.mp4'), policy);
    expect(download).toMatchObject({ contentLength: clip.length, contentType: 'video/mp4', startAt: 0 });
    expect((await readAll(download.stream)).equals(clip)).toBe(true);
  });

  it('connects through a host name to the addresses it checked', async () => {
    expect(new URL(server.url('/')).hostname).toBe('localhost');
    const download = await openDownload(server.url('/files/clip.mp4'), policy);
    expect((await readAll(download.stream)).equals(clip)).toBe(true);
  });

  it('follows redirects up to the limit and reports the final URL', async () => {
    const download = await openDownload(server.url('/redirect/3/clip.mp4'), policy);
    expect(download.finalUrl).toBe(server.url('/files/clip.mp4'));
    expect((await readAll(download.stream)).equals(clip)).toBe(true);
  });

  it('refuses a redirect chain longer than the limit', async () => {
    await expectFailure(openDownload(server.url('/redirect/4/clip.mp4'), policy), 'GenerationError', /3 redirects/);
  });

  it('maps statuses: missing or expired output, refused access, throttling with Retry-After', async () => {
    await expectFailure(openDownload(server.url('/status/404'), policy), 'GenerationError', /missing or expired/);
    await expectFailure(openDownload(server.url('/status/410'), policy), 'GenerationError', /HTTP 410/);
    await expectFailure(openDownload(server.url('/status/403'), policy), 'AuthenticationError', /HTTP 403/);
    await expectFailure(openDownload(server.url('/status/400'), policy), 'GenerationError', /HTTP 400/);
    const throttled = await expectFailure(openDownload(server.url('/status/429'), policy), 'RetryableError');
    expect(throttled.nextRetryDelay).toBe(7000);
    const unavailable = await expectFailure(openDownload(server.url('/status/503'), policy), 'RetryableError');
    expect(unavailable.nextRetryDelay).toBe(7000);
  });

  it('fails a truncated body (fewer bytes than Content-Length) as retryable', async () => {
    const download = await openDownload(server.url('/truncated/clip.mp4'), policy);
    await expectFailure(readAll(download.stream), 'RetryableError', /truncated: \d+ of \d+ bytes/);
  });

  it('refuses a body over the size cap, announced or not', async () => {
    const small = { ...policy, maxBytes: 10_000 };
    await expectFailure(openDownload(server.url('/files/clip.mp4'), small), 'GenerationError', /limit of 10000 bytes/);
    const unannounced = await openDownload(server.url('/no-length/clip.mp4'), small);
    expect(unannounced.contentLength).toBeNull();
    await expectFailure(readAll(unannounced.stream), 'GenerationError', /larger than the download size limit/);
  });

  it('fails a stalled body within the idle timeout', async () => {
    const quick = { ...policy, idleTimeoutMs: 400 };
    const started = Date.now();
    const download = await openDownload(server.url('/stall/clip.mp4'), quick);
    await expectFailure(readAll(download.stream), 'RetryableError', /no data for 400 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('fails a server that never answers within the idle timeout', async () => {
    const started = Date.now();
    await expectFailure(
      openDownload(server.url('/silent'), { ...policy, idleTimeoutMs: 400 }),
      'RetryableError',
      /no response headers within 400 ms/,
    );
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops a transfer that keeps trickling past the total timeout', async () => {
    const download = await openDownload(server.url('/drip/1000'), { ...policy, totalTimeoutMs: 600 });
    await expectFailure(readAll(download.stream), 'RetryableError', /total timeout of 600 ms/);
  });

  it('does not count a slow consumer as a stalled server', async () => {
    const size = 4 * 1024 * 1024;
    const download = await openDownload(server.url(`/zeros/${size}`), { ...policy, idleTimeoutMs: 300 });
    let received = 0;
    for await (const chunk of download.stream) {
      received += (chunk as Buffer).length;
      if (received === (chunk as Buffer).length) await new Promise((resolve) => setTimeout(resolve, 900));
    }
    expect(received).toBe(size);
  });

  it('resumes from a byte offset with a Range request', async () => {
    const download = await openDownload(server.url('/files/clip.mp4'), policy, undefined, { startAt: 1000 });
    expect(download).toMatchObject({ startAt: 1000, contentLength: clip.length - 1000 });
    expect((await readAll(download.stream)).equals(clip.subarray(1000))).toBe(true);
  });

  it('resumes at the very end as an empty body: the server answers 416 for the whole size', async () => {
    const download = await openDownload(server.url('/files/clip.mp4'), policy, undefined, { startAt: clip.length });
    expect(download).toMatchObject({ startAt: clip.length, contentLength: 0 });
    expect((await readAll(download.stream)).length).toBe(0);
    await expectFailure(
      openDownload(server.url('/files/clip.mp4'), policy, undefined, { startAt: clip.length + 1 }),
      'GenerationError',
      /HTTP 416/,
    );
  });

  it('says so when the server ignores the Range and sends the whole file', async () => {
    const download = await openDownload(server.url('/ignore-range/clip.mp4'), policy, undefined, { startAt: 1000 });
    expect(download.startAt).toBe(0);
    expect((await readAll(download.stream)).equals(clip)).toBe(true);
  });

  it('refuses loopback and private hosts unless allowed', async () => {
    const strict = { ...policy, allowPrivateHosts: false };
    const before = server.requests.length;
    await expectFailure(openDownload(server.ipUrl('/files/clip.mp4'), strict), 'GenerationError', /loopback address/);
    await expectFailure(
      openDownload(server.url('/files/clip.mp4'), strict),
      'GenerationError',
      /localhost is a loopback address/,
    );
    await expectFailure(
      openDownload('http://169.254.169.254/latest/meta-data', strict),
      'GenerationError',
      /link-local/,
    );
    await expectFailure(openDownload('http://[::1]:9/x.mp4', strict), 'GenerationError', /loopback/);
    await expectFailure(openDownload('http://10.0.0.7/x.mp4', strict), 'GenerationError', /private/);
    expect(server.requests.length).toBe(before);
  });

  it('refuses loopback and private hosts by default, sending them no request', async () => {
    const before = server.requests.length;
    await expectFailure(
      openDownload(server.ipUrl('/files/clip.mp4'), DEFAULT_DOWNLOAD_POLICY),
      'GenerationError',
      /loopback address/,
    );
    await expectFailure(openDownload('http://10.0.0.7/x.mp4', DEFAULT_DOWNLOAD_POLICY), 'GenerationError', /private/);
    expect(server.requests.length).toBe(before);
  });

  it('refuses schemes other than http and https', async () => {
    await expectFailure(openDownload('file:///etc/passwd', policy), 'GenerationError', /only http and https/);
    await expectFailure(openDownload('ftp://127.0.0.1/clip.mp4', policy), 'GenerationError', /only http and https/);
    await expectFailure(openDownload('not a url', policy), 'GenerationError', /not a URL/);
  });

  it('fails a refused connection as retryable', async () => {
    const closed = await startMediaServer(dir);
    const url = closed.url('/files/clip.mp4');
    await closed.close();
    await expectFailure(openDownload(url, policy), 'RetryableError', /ECONNREFUSED/);
  });

  it('ends with the caller’s reason when aborted mid-body', async () => {
    const controller = new AbortController();
    const download = await openDownload(server.url('/drip/1000'), policy, controller.signal);
    const reason = new Error('stop now');
    setTimeout(() => controller.abort(reason), 150);
    await expect(readAll(download.stream)).rejects.toBe(reason);
  });
});
