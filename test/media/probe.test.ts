import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../../src/media/download';
import { probeVideo } from '../../src/media/probe';
import { makeAudioOnlyMp4, makeMp4 } from './support/make-media';
import { startMediaServer, type MediaServer } from './support/media-server';
import { expectFailure } from './support/expect-failure';

const download: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, idleTimeoutMs: 5_000, allowPrivateHosts: true };
const options = { timeoutMs: 15_000, download };

let dir: string;
let server: MediaServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipgen-probe-'));
  await Promise.all([
    makeMp4(dir, 'svd.mp4', { frames: 49, fps: 8 }),
    makeMp4(dir, 'seven.mp4', { frames: 25, fps: 7, width: 128, height: 72 }),
    makeMp4(dir, 'moov-at-end.mp4', { frames: 49, fps: 8, faststart: false }),
    makeAudioOnlyMp4(dir, 'audio.mp4'),
  ]);
  const whole = await readFile(join(dir, 'moov-at-end.mp4'));
  await writeFile(join(dir, 'cut.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
  server = await startMediaServer(dir);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('probeVideo', () => {
  it('measures an SVD-like clip exactly: 49 frames at 8 fps', async () => {
    await expect(probeVideo(server.url('/files/svd.mp4'), options)).resolves.toEqual({
      duration: 6.125,
      width: 160,
      height: 96,
      fps: 8,
      codec: 'h264',
      frames: 49,
    });
  });

  it('measures 25 frames at 7 fps as 3.571 s', async () => {
    const probed = await probeVideo(server.url('/files/seven.mp4'), options);
    expect(probed.duration).toBeCloseTo(3.571, 2);
    expect(probed).toMatchObject({ fps: 7, width: 128, height: 72, codec: 'h264', frames: 25 });
  });

  it('reads a file whose index is at the end, following redirects', async () => {
    const probed = await probeVideo(server.url('/redirect/2/moov-at-end.mp4'), options);
    expect(probed).toMatchObject({ duration: 6.125, fps: 8, frames: 49 });
  });

  it('rejects what is not a playable video as a GenerationError', async () => {
    await expectFailure(probeVideo(server.url('/garbage'), options), 'GenerationError', /not a playable video/);
    await expectFailure(probeVideo(server.url('/files/audio.mp4'), options), 'GenerationError', /no video stream/);
    await expectFailure(probeVideo(server.url('/files/cut.mp4'), options), 'GenerationError', /not a playable video/);
  });

  it('rejects a missing or expired output as a GenerationError', async () => {
    await expectFailure(probeVideo(server.url('/status/404'), options), 'GenerationError', /missing or expired/);
    await expectFailure(probeVideo(server.url('/files/nothing.mp4'), options), 'GenerationError', /HTTP 404/);
  });

  it('fails as retryable when the server is down or busy', async () => {
    const gone = await startMediaServer(dir);
    const url = gone.url('/files/svd.mp4');
    await gone.close();
    await expectFailure(probeVideo(url, options), 'RetryableError', /ECONNREFUSED/);
    await expectFailure(probeVideo(server.url('/status/503'), options), 'RetryableError', /HTTP 503/);
  });

  it('kills ffprobe at the wall-clock timeout when the server stalls', async () => {
    const url = server.url(`/stall/svd.mp4?probe=${process.pid}-${Date.now()}`);
    const started = Date.now();
    await expectFailure(
      probeVideo(url, { timeoutMs: 1_500, download: { ...download, idleTimeoutMs: 20_000 } }),
      'RetryableError',
      /did not finish within 1500 ms/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(server.requests.filter((path) => path.includes('/stall/')).length).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await processesMentioning(url)).toEqual([]);
  });

  it('never hands a private host to ffprobe unless allowed', async () => {
    const before = server.requests.length;
    await expectFailure(
      probeVideo(server.url('/files/svd.mp4'), { timeoutMs: 5_000 }),
      'GenerationError',
      /loopback address/,
    );
    expect(server.requests.length).toBe(before);
  });
});

/** Pids of live processes whose command line contains `text` (Linux /proc). */
async function processesMentioning(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const matches: string[] = [];
  for (const pid of pids) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(text)) matches.push(pid);
  }
  return matches;
}
