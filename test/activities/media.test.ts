import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { ProbeVideoInput, StoreClipInput, StoreClipResult } from '../../src/activities/contracts';
import { mediaActivities } from '../../src/activities/media';
import type { ProbedVideo } from '../../src/domain/types';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../../src/media/download';
import { createLocalStorage } from '../../src/storage/local';
import { makeMp4 } from '../media/support/make-media';
import { startMediaServer, type MediaServer } from '../media/support/media-server';
import { expectFailure } from '../media/support/expect-failure';

const JOB_ID = '5f1d7c1e-8a55-4d7e-9a7f-0c6f2b0e4d11';
const download: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, idleTimeoutMs: 5_000, allowPrivateHosts: true };

let mediaDir: string;
let storageDir: string;
let server: MediaServer;
let clip: Buffer;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'clipgen-media-activities-'));
  clip = await readFile(await makeMp4(mediaDir, 'clip.mp4', { frames: 49, fps: 8 }));
  server = await startMediaServer(mediaDir);
});

afterAll(async () => {
  await server.close();
  await rm(mediaDir, { recursive: true, force: true });
});

beforeEach(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'clipgen-media-storage-'));
});

afterEach(async () => {
  await rm(storageDir, { recursive: true, force: true });
});

function activities(policy: DownloadPolicy = download) {
  return mediaActivities({
    storage: createLocalStorage({ rootDir: storageDir }),
    download: policy,
    probeTimeoutMs: 15_000,
  });
}

function probe(env: MockActivityEnvironment, input: ProbeVideoInput): Promise<ProbedVideo> {
  return env.run(activities().probeVideo, input) as Promise<ProbedVideo>;
}

function store(env: MockActivityEnvironment, input: StoreClipInput, policy = download): Promise<StoreClipResult> {
  return env.run(activities(policy).storeClip, input) as Promise<StoreClipResult>;
}

/** Activity failures are expected here; keep the SDK's failure logs out of the test output. */
function mockEnvironment(info: { attempt?: number } = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

function recordHeartbeats(env: MockActivityEnvironment): Array<{ bytes: number } | undefined> {
  const beats: Array<{ bytes: number } | undefined> = [];
  env.on('heartbeat', (details?: { bytes: number }) => beats.push(details));
  return beats;
}

const clipFolder = () => join(storageDir, 'video-clips', JOB_ID);

describe('probeVideo activity', () => {
  it('returns the probed facts of the output', async () => {
    const env = mockEnvironment();
    const beats = recordHeartbeats(env);
    const probed = await probe(env, { url: server.url('/files/clip.mp4') });
    expect(probed).toEqual({ duration: 6.125, width: 160, height: 96, fps: 8, codec: 'h264', frames: 49 });
    expect(beats.length).toBeGreaterThanOrEqual(1);
  });

  it('fails an unplayable output as a GenerationError', async () => {
    await expectFailure(probe(mockEnvironment(), { url: server.url('/garbage') }), 'GenerationError');
  });
});

describe('storeClip activity', () => {
  it('stores the output at video-clips/{jobId}/clip_{clipIndex}.mp4 with its size and sha256', async () => {
    const env = mockEnvironment();
    const beats = recordHeartbeats(env);
    const result = await store(env, {
      jobId: JOB_ID,
      clipIndex: 3,
      sourceUrl: server.url('/files/clip.mp4'),
    });
    expect(result).toEqual({
      url: expect.stringMatching(/^file:\/\//),
      storagePath: `video-clips/${JOB_ID}/clip_3.mp4`,
      bytes: clip.length,
      sha256: createHash('sha256').update(clip).digest('hex'),
    });
    expect(fileURLToPath(result.url)).toBe(join(clipFolder(), 'clip_3.mp4'));
    expect((await readFile(fileURLToPath(result.url))).equals(clip)).toBe(true);
    expect(beats[0]).toEqual({ bytes: 0 });
    expect(beats.at(-1)).toEqual({ bytes: clip.length });
  });

  it('overwrites on a retried store: one file, no temporary files', async () => {
    const input = { jobId: JOB_ID, clipIndex: 0, sourceUrl: server.url('/files/clip.mp4') };
    const first = await store(mockEnvironment(), input);
    const second = await store(mockEnvironment({ attempt: 2 }), input);
    expect(second).toEqual(first);
    expect(await readdir(clipFolder())).toEqual(['clip_0.mp4']);
  });

  it('fails on an expired output without creating anything', async () => {
    const input = { jobId: JOB_ID, clipIndex: 0, sourceUrl: server.url('/status/410') };
    await expectFailure(store(mockEnvironment(), input), 'GenerationError');
    await expect(stat(clipFolder())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails a truncated transfer as retryable and leaves no partial file', async () => {
    const input = { jobId: JOB_ID, clipIndex: 0, sourceUrl: server.url('/truncated/clip.mp4') };
    await expectFailure(store(mockEnvironment(), input), 'RetryableError', /truncated/);
    expect(await readdir(clipFolder())).toEqual([]);
  });

  it('refuses an output over the size cap', async () => {
    const input = { jobId: JOB_ID, clipIndex: 0, sourceUrl: server.url('/no-length/clip.mp4') };
    const capped = { ...download, maxBytes: 8 * 1024 };
    await expectFailure(store(mockEnvironment(), input, capped), 'GenerationError', /8 KiB/);
    expect(await readdir(clipFolder())).toEqual([]);
  });

  it('is cancellable mid-transfer and removes the temporary file', async () => {
    const env = mockEnvironment();
    let sawPartialFile = false;
    env.on('heartbeat', () => undefined);
    const running = store(env, {
      jobId: JOB_ID,
      clipIndex: 1,
      sourceUrl: server.url('/drip/100000'),
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    sawPartialFile = (await readdir(clipFolder())).some((name) => name.endsWith('.partial'));
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(sawPartialFile).toBe(true);
    expect(await readdir(clipFolder())).toEqual([]);
  });

  it('streams a 200 MB output without holding it in memory', async () => {
    const size = 200 * 1024 * 1024;
    const env = mockEnvironment();
    const beats = recordHeartbeats(env);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = Date.now();
    try {
      const result = await store(env, {
        jobId: JOB_ID,
        clipIndex: 7,
        sourceUrl: server.url(`/zeros/${size}`),
      });
      expect(result.bytes).toBe(size);
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - baseline) / 1024 ** 2;
    console.log(`stored 200 MB in ${Date.now() - started} ms; peak RSS growth ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(100);
    expect((await stat(join(clipFolder(), 'clip_7.mp4'))).size).toBe(size);
    expect(beats.at(-1)).toEqual({ bytes: size });
  });
});
