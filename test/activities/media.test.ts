import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ActivityCancellationDetails, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { FetchProbeStoreInput, StoredClip } from '../../src/activities/contracts';
import { mediaActivities, type FetchProbeStoreHeartbeat } from '../../src/activities/media';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../../src/media/download';
import { createLocalStorage } from '../../src/storage/local';
import type { StorageClient } from '../../src/storage/types';
import { makeMp4, makeTsSegment } from '../media/support/make-media';
import { startMediaServer, type MediaServer } from '../media/support/media-server';
import { expectFailure } from '../media/support/expect-failure';
import { paddedMp4 } from '../media/support/padded-mp4';
import { postJson, startTestSimulator, SVD_VERSION, waitForTerminal } from '../simulator/helpers';

/** Addresses the download policy treats as public here, so a loopback server can stand in for a CDN. */
const mockPublicAddresses = new Set<string>();
jest.mock('../../src/media/address-ranges', () => {
  const actual = jest.requireActual<typeof import('../../src/media/address-ranges')>('../../src/media/address-ranges');
  return {
    ...actual,
    nonPublicAddressKind: (address: string) =>
      mockPublicAddresses.has(address) ? null : actual.nonPublicAddressKind(address),
  };
});

const JOB_ID = '5f1d7c1e-8a55-4d7e-9a7f-0c6f2b0e4d11';
const PREDICTION_ID = 'q1w2e3r4t5y6u7i8o9p0asdfgh';
const download: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, idleTimeoutMs: 5_000, allowPrivateHosts: true };
const VIDEO = { duration: 6.125, width: 160, height: 96, fps: 8, codec: 'h264', frames: 49 };

let mediaDir: string;
let storageDir: string;
let spoolDir: string;
let server: MediaServer;
let clip: Buffer;
let segvScript: string;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'clipgen-media-activities-'));
  clip = await readFile(await makeMp4(mediaDir, 'clip.mp4', { frames: 49, fps: 8 }));
  await makeTsSegment(mediaDir, 'hls-segment.ts', { frames: 49, fps: 8 });
  // Stands in for an ffprobe that crashes (as ffprobe-static 4.0.2 does on glibc 2.36 when it resolves a name).
  segvScript = join(mediaDir, 'segv-ffprobe.sh');
  await writeFile(segvScript, '#!/bin/sh\nkill -SEGV $$\n');
  await chmod(segvScript, 0o755);
  server = await startMediaServer(mediaDir);
});

afterAll(async () => {
  await server.close();
  await rm(mediaDir, { recursive: true, force: true });
});

beforeEach(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'clipgen-media-storage-'));
  spoolDir = join(storageDir, 'spool');
});

afterEach(async () => {
  mockPublicAddresses.clear();
  await rm(storageDir, { recursive: true, force: true });
});

interface Setup {
  policy?: DownloadPolicy;
  ffprobePath?: string;
  storage?: StorageClient;
  spool?: string;
}

function localStorage(): StorageClient {
  return createLocalStorage({ rootDir: join(storageDir, 'objects') });
}

function fetchProbeStore(env: MockActivityEnvironment, input: Partial<FetchProbeStoreInput>, setup: Setup = {}) {
  const activities = mediaActivities({
    storage: setup.storage ?? localStorage(),
    download: setup.policy ?? download,
    probeTimeoutMs: 15_000,
    ffprobePath: setup.ffprobePath,
    spoolDir: setup.spool ?? spoolDir,
  });
  const full: FetchProbeStoreInput = {
    jobId: JOB_ID,
    clipIndex: 0,
    predictionId: PREDICTION_ID,
    outputUrl: server.url('/files/clip.mp4'),
    ...input,
  };
  return env.run(activities.fetchProbeStore, full) as Promise<StoredClip>;
}

/** Activity failures are expected here; keep the SDK's failure logs out of the test output. */
function mockEnvironment(info: { attempt?: number; heartbeatDetails?: unknown } = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
}

function recordHeartbeats(env: MockActivityEnvironment): FetchProbeStoreHeartbeat[] {
  const beats: FetchProbeStoreHeartbeat[] = [];
  env.on('heartbeat', (details: FetchProbeStoreHeartbeat) => beats.push(details));
  return beats;
}

const clipFolder = () => join(storageDir, 'objects', 'video-clips', JOB_ID);
const servedFor = (prefix: string) => server.served.filter((request) => request.path.startsWith(prefix));
const spoolFiles = async () => (await readdir(spoolDir).catch(() => [] as string[])).sort();
const expectNoJobFolder = () => expect(stat(clipFolder())).rejects.toMatchObject({ code: 'ENOENT' });

/** A server on another loopback address, standing in for an internal service no output may reach. */
async function startInternalService(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const service = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'video/mp4' });
    response.end(clip);
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.2', resolve));
  return {
    url: `http://127.0.0.2:${(service.address() as AddressInfo).port}/internal/secret.mp4`,
    requests,
    close: () => new Promise<void>((resolve) => service.close(() => resolve())),
  };
}

describe('fetchProbeStore', () => {
  it('fetches the output once (a host-name URL), probes those bytes and stores exactly them', async () => {
    const env = mockEnvironment();
    const beats = recordHeartbeats(env);
    const url = server.url(`/files/clip.mp4?one-get=${Date.now()}`);
    expect(new URL(url).hostname).toBe('localhost');

    const result = await fetchProbeStore(env, { clipIndex: 3, outputUrl: url });

    expect(result).toEqual({
      url: expect.stringMatching(/^file:\/\//),
      storagePath: `video-clips/${JOB_ID}/clip_3.mp4`,
      bytes: clip.length,
      sha256: sha256(clip),
      video: VIDEO,
    });
    expect(server.served.filter((request) => request.path.includes('one-get='))).toEqual([
      { path: expect.any(String), range: null, userAgent: 'clipgen', bytes: clip.length },
    ]);
    expect(fileURLToPath(result.url)).toBe(join(clipFolder(), 'clip_3.mp4'));
    expect(sha256(await readFile(fileURLToPath(result.url)))).toBe(result.sha256);
    await expect(localStorage().stat(`${JOB_ID}/clip_3.mp4`)).resolves.toEqual({
      bytes: clip.length,
      metadata: { contentType: 'video/mp4', size: clip.length, sha256: sha256(clip) },
    });
    expect(await spoolFiles()).toEqual([]);
    expect(beats[0]).toEqual({ phase: 'fetching', bytes: 0 });
    expect(beats.map((beat) => beat.phase)).toEqual(expect.arrayContaining(['fetching', 'probing', 'storing']));
    expect(beats.at(-1)).toEqual({
      phase: 'stored',
      bytes: clip.length,
      output: { bytes: clip.length, sha256: sha256(clip) },
    });
  });

  it('stores the bytes it probed even when the server answers a later read with a web page', async () => {
    const result = await fetchProbeStore(mockEnvironment(), { outputUrl: server.url('/first-read/clip.mp4') });
    expect(result).toMatchObject({ bytes: clip.length, sha256: sha256(clip), video: VIDEO });
    expect(sha256(await readFile(join(clipFolder(), 'clip_0.mp4')))).toBe(sha256(clip));
    expect(servedFor('/first-read/')).toHaveLength(1);
  });

  it('refuses an HLS playlist as a GenerationError: nothing stored, no segment fetched', async () => {
    const before = servedFor('/hls/segment.ts').length;
    await expectFailure(
      fetchProbeStore(mockEnvironment(), { outputUrl: server.url('/hls/index.m3u8') }),
      'GenerationError',
      /\/hls\/index\.m3u8 is not a playable video: it is an HLS playlist/,
    );
    expect(servedFor('/hls/segment.ts').length).toBe(before);
    await expectNoJobFolder();
    expect(await spoolFiles()).toEqual([]);
  });

  it('refuses a web page answered 200 as a GenerationError', async () => {
    const url = server.url('/first-read/clip.mp4?page');
    await fetchProbeStore(mockEnvironment(), { outputUrl: url });
    await expectFailure(
      fetchProbeStore(mockEnvironment(), { clipIndex: 1, predictionId: 'other', outputUrl: url }),
      'GenerationError',
      /is not a playable video: it is an HTML page/,
    );
  });

  it('refuses a redirect to a private address, and ffprobe never opens a URL of its own', async () => {
    mockPublicAddresses.add('127.0.0.1'); // the output server counts as public; 127.0.0.2 does not
    const internal = await startInternalService();
    const strict = { ...download, allowPrivateHosts: false };
    try {
      await expectFailure(
        fetchProbeStore(
          mockEnvironment(),
          { outputUrl: server.url(`/redirect-to?to=${encodeURIComponent(internal.url)}`) },
          { policy: strict },
        ),
        'GenerationError',
        /Refusing to download http:\/\/127\.0\.0\.2:\d+\/internal\/secret\.mp4: 127\.0\.0\.2 is a loopback address/,
      );
      // A server redirecting only FFmpeg's user agent: the one read is clipgen's, ffprobe reads the local file.
      const result = await fetchProbeStore(
        mockEnvironment(),
        { outputUrl: server.url(`/ua-redirect/clip.mp4?to=${encodeURIComponent(internal.url)}`) },
        { policy: strict },
      );
      expect(result).toMatchObject({ sha256: sha256(clip), video: VIDEO });
      expect(servedFor('/ua-redirect/').map((request) => request.userAgent)).toEqual(['clipgen']);
      expect(internal.requests).toEqual([]);
    } finally {
      await internal.close();
    }
  });

  it('reports a crashed ffprobe as retryable, naming the signal, and the retry probes the spooled bytes', async () => {
    const url = server.url(`/files/clip.mp4?crash=${Date.now()}`);
    await expectFailure(
      fetchProbeStore(mockEnvironment(), { outputUrl: url }, { ffprobePath: segvScript }),
      'RetryableError',
      /^ffprobe crashed \(killed by SIGSEGV\) while probing http:\/\/localhost:\d+\/files\/clip\.mp4$/,
    );
    expect(await spoolFiles()).toEqual([expect.stringMatching(/\.mp4$/)]);
    await expectNoJobFolder();

    const result = await fetchProbeStore(mockEnvironment({ attempt: 2 }), { outputUrl: url });
    expect(result).toMatchObject({ sha256: sha256(clip), video: VIDEO });
    expect(server.served.filter((request) => request.path.includes('crash='))).toHaveLength(1);
    expect(await spoolFiles()).toEqual([]);
  });

  it('reports an ffprobe that a wrapper saw die of SIGSEGV (exit code 139) as retryable', async () => {
    const wrapper = join(storageDir, 'wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\n${segvScript} "$@"\nexit $?\n`);
    await chmod(wrapper, 0o755);
    await expectFailure(
      fetchProbeStore(mockEnvironment(), {}, { ffprobePath: wrapper }),
      'RetryableError',
      /ffprobe crashed \(exit code 139, SIGSEGV\)/,
    );
  });

  it('resumes an interrupted download from its spool file: a Range request for the missing bytes only', async () => {
    const half = Math.floor(clip.length / 2);
    const first = mockEnvironment();
    const firstBeats = recordHeartbeats(first);
    await expectFailure(
      fetchProbeStore(first, { outputUrl: server.url('/flaky/clip.mp4') }),
      'RetryableError',
      /truncated/,
    );
    expect(firstBeats.at(-1)).toMatchObject({ phase: 'fetching' });
    expect(await spoolFiles()).toEqual([expect.stringMatching(/\.part$/)]);
    await expectNoJobFolder();

    const result = await fetchProbeStore(mockEnvironment({ attempt: 2 }), { outputUrl: server.url('/flaky/clip.mp4') });

    expect(result).toMatchObject({ bytes: clip.length, sha256: sha256(clip), video: VIDEO });
    expect(servedFor('/flaky/').map(({ range, bytes }) => ({ range, bytes }))).toEqual([
      { range: null, bytes: half },
      { range: `bytes=${half}-`, bytes: clip.length - half },
    ]);
    expect(await spoolFiles()).toEqual([]);
  });

  it('starts over when a retry runs on another worker (no spool file there)', async () => {
    const url = server.url(`/flaky/clip.mp4?elsewhere=1`);
    await expectFailure(fetchProbeStore(mockEnvironment(), { outputUrl: url }), 'RetryableError');
    const result = await fetchProbeStore(
      mockEnvironment({ attempt: 2 }),
      { outputUrl: url },
      {
        spool: join(storageDir, 'other-worker-spool'),
      },
    );
    expect(result.sha256).toBe(sha256(clip));
    expect(servedFor('/flaky/').at(-1)).toMatchObject({ range: null, bytes: clip.length });
  });

  it('fails on an expired output without creating anything', async () => {
    await expectFailure(
      fetchProbeStore(mockEnvironment(), { outputUrl: server.url('/status/410') }),
      'GenerationError',
      /missing or expired/,
    );
    await expectNoJobFolder();
    expect(await spoolFiles()).toEqual([]);
  });

  it('fails a truncated transfer as retryable and creates no job folder', async () => {
    await expectFailure(
      fetchProbeStore(mockEnvironment(), { outputUrl: server.url('/truncated/clip.mp4') }),
      'RetryableError',
      /truncated/,
    );
    await expectNoJobFolder();
  });

  it('refuses an output over the size cap and removes its spool file', async () => {
    await expectFailure(
      fetchProbeStore(
        mockEnvironment(),
        { outputUrl: server.url('/no-length/clip.mp4') },
        { policy: { ...download, maxBytes: 8 * 1024 } },
      ),
      'GenerationError',
      /8 KiB/,
    );
    await expectNoJobFolder();
    expect(await spoolFiles()).toEqual([]);
  });

  it('is cancellable mid-transfer: no job folder; the spool file goes when the clip is cancelled', async () => {
    const cancelled = mockEnvironment();
    const running = fetchProbeStore(cancelled, { outputUrl: server.url('/drip/100000') });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await spoolFiles()).toEqual([expect.stringMatching(/\.part$/)]);
    cancelled.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    await expectNoJobFolder();
    expect(await spoolFiles()).toEqual([]);

    // A timed-out attempt keeps it: the next attempt resumes.
    const timedOut = mockEnvironment();
    const again = fetchProbeStore(timedOut, { outputUrl: server.url('/drip/100000?again') });
    await new Promise((resolve) => setTimeout(resolve, 400));
    timedOut.cancel('TIMED_OUT', new ActivityCancellationDetails({ timedOut: true }));
    await expect(again).rejects.toBeInstanceOf(CancelledFailure);
    expect(await spoolFiles()).toEqual([expect.stringMatching(/\.part$/)]);
  });

  it('leaves no empty job folder behind when the upload is aborted', async () => {
    const local = localStorage();
    const failing: StorageClient = {
      ...local,
      put: (path, body, options) => {
        let seen = 0;
        const cut = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            callback(seen > 1000 ? new Error('disk went away') : null, chunk);
          },
        });
        // The cut can come before the backend reads (it prepares its folder first): keep it for the backend.
        cut.on('error', () => undefined);
        return local.put(path, body.pipe(cut), options);
      },
    };
    await expectFailure(
      fetchProbeStore(mockEnvironment(), {}, { storage: failing }),
      'RetryableError',
      /disk went away/,
    );
    await expectNoJobFolder();
    expect(await readdir(join(storageDir, 'objects', '.uploads', 'video-clips'))).toEqual([]);
    expect(await spoolFiles()).toEqual([expect.stringMatching(/\.mp4$/)]);
  });

  it('removes spool files older than a day when it starts', async () => {
    await mkdir(spoolDir, { recursive: true });
    const stale = join(spoolDir, `old-job.0.oldprediction.${'a'.repeat(16)}.part`);
    const fresh = join(spoolDir, `new-job.0.newprediction.${'b'.repeat(16)}.part`);
    const foreign = join(spoolDir, 'not-ours.txt');
    for (const file of [stale, fresh, foreign]) await writeFile(file, 'bytes');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    await utimes(foreign, twoDaysAgo, twoDaysAgo);

    await fetchProbeStore(mockEnvironment(), {});
    expect(await spoolFiles()).toEqual(['new-job.0.newprediction.bbbbbbbbbbbbbbbb.part', 'not-ours.txt']);
  });

  it('streams a 200 MB output through disk without holding it in memory', async () => {
    const size = 200 * 1024 * 1024;
    const env = mockEnvironment();
    const beats = recordHeartbeats(env);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = Date.now();
    let result: StoredClip;
    try {
      result = await fetchProbeStore(env, { clipIndex: 7, outputUrl: server.url(`/padded/clip.mp4/${size}`) });
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - baseline) / 1024 ** 2;
    console.log(
      `fetched, probed and stored 200 MB in ${Date.now() - started} ms; peak RSS growth ${growthMb.toFixed(1)} MB`,
    );
    // Holding the output would grow by its 200 MB; the margin below that absorbs garbage not yet collected in a Jest
    // worker that has run other files (the serving side of the transfer runs in this process too).
    expect(growthMb).toBeLessThan(150);
    expect(result).toMatchObject({ bytes: size, sha256: paddedMp4(clip, size).sha256(), video: VIDEO });
    expect((await stat(join(clipFolder(), 'clip_7.mp4'))).size).toBe(size);
    expect(beats.at(-1)).toMatchObject({ phase: 'stored', bytes: size });
  });
});

describe('fetchProbeStore against the Replicate simulator', () => {
  it('stores a clip from an output URL on http://localhost:…, with one output request', async () => {
    const sim = await startTestSimulator();
    try {
      const created = await postJson(`${sim.baseUrl}/predictions`, {
        version: SVD_VERSION,
        // A 1x1 PNG: the simulator fails a prediction whose image it cannot decode, as a real model does.
        input: {
          input_image:
            'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
          video_length: '14_frames_with_svd',
        },
      });
      const finished = await waitForTerminal(sim, created.json.id as string);
      expect(finished.status).toBe('succeeded');
      const outputUrl = finished.output as string;
      expect(outputUrl).toMatch(/^http:\/\/localhost:\d+\/delivery\/.+\/output\.mp4$/);

      const result = await fetchProbeStore(mockEnvironment(), { predictionId: finished.id as string, outputUrl });

      expect(result.video).toMatchObject({ codec: 'h264', frames: 14 });
      expect(sim.stats().outputs[finished.id as string]).toEqual({
        requests: 1,
        rangeRequests: 0,
        bytes: result.bytes,
      });
    } finally {
      await sim.close();
    }
  });
});
