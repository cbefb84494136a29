import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { StoredClip } from '../../src/activities/contracts';
import { mediaActivities, type FetchProbeStoreHeartbeat } from '../../src/activities/media';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { createSupabaseStorage } from '../../src/storage/supabase';
import { makeMp4 } from '../media/support/make-media';
import { startMediaServer, type MediaServer } from '../media/support/media-server';
import { expectFailure } from '../media/support/expect-failure';
import { paddedMp4, type PaddedMp4 } from '../media/support/padded-mp4';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';

const JOB_ID = '0b6f5e1c-7d0a-4a43-8a1e-3f0c2d9e8b71';
const CHUNK = 256 * 1024;
const SIZE = CHUNK * 10 + 999;
const OBJECT = `${JOB_ID}/clip_2.mp4`;

let mediaDir: string;
let workDir: string;
let output: PaddedMp4;
let server: StorageServer;
let source: MediaServer;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'clipgen-supabase-activity-'));
  output = paddedMp4(await readFile(await makeMp4(mediaDir, 'clip.mp4', { frames: 49, fps: 8 })), SIZE);
});
afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

beforeEach(async () => {
  server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
  source = await startMediaServer(mediaDir);
  workDir = await mkdtemp(join(tmpdir(), 'clipgen-supabase-spool-'));
});
afterEach(async () => {
  await source.close();
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

/** One attempt on a worker whose spool folder is `worker`'s. */
function fetchProbeStore(env: MockActivityEnvironment, kind: 'padded' | 'padded-ignore-range', worker = 'a') {
  const activities = mediaActivities({
    storage: createSupabaseStorage({
      url: server.url,
      serviceRoleKey: server.keys.serviceRoleKey,
      standardUploadMaxBytes: CHUNK,
      resumableChunkBytes: CHUNK,
    }),
    download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true },
    spoolDir: join(workDir, worker),
  });
  return env.run(activities.fetchProbeStore, {
    jobId: JOB_ID,
    clipIndex: 2,
    predictionId: 'p0supabase',
    outputUrl: source.url(`/${kind}/clip.mp4/${SIZE}`),
  }) as Promise<StoredClip>;
}

/** An attempt, recording its heartbeats; `heartbeatDetails` are what the last attempt left. */
function attempt(attemptNumber: number, heartbeatDetails?: unknown) {
  const env = new MockActivityEnvironment(
    { attempt: attemptNumber, heartbeatDetails },
    { logger: new DefaultLogger('ERROR') },
  );
  const beats: FetchProbeStoreHeartbeat[] = [];
  env.on('heartbeat', (details: FetchProbeStoreHeartbeat) => beats.push(details));
  return { env, beats };
}

const ranges = () => source.served.map((request) => request.range);

describe('fetchProbeStore with Supabase Storage', () => {
  it('stores the output at video-clips/{jobId}/clip_{i}.mp4, with its size and sha256 as metadata', async () => {
    const first = attempt(1);
    const result = await fetchProbeStore(first.env, 'padded');
    expect(result).toEqual({
      url: expect.stringContaining(`${server.url}/storage/v1/object/sign/video-clips/${OBJECT}?token=`),
      storagePath: `video-clips/${OBJECT}`,
      bytes: SIZE,
      sha256: output.sha256(),
      video: expect.objectContaining({ codec: 'h264', duration: 6.125 }),
    });
    expect(server.object('video-clips', OBJECT)).toMatchObject({
      size: SIZE,
      metadata: { size: SIZE, sha256: output.sha256() },
    });
    expect(ranges()).toEqual([null]);
    expect(first.beats.at(-1)).toEqual({
      phase: 'stored',
      bytes: SIZE,
      output: { bytes: SIZE, sha256: output.sha256() },
    });
  });

  it.each([
    ['on the same worker resumes from the spool file: no second download', 'a', [null]],
    ['on another worker downloads again, then resumes the upload', 'b', [null, null]],
  ])('a retry after a dropped upload %s, and sends only the missing bytes', async (_, worker, expectedRanges) => {
    server.faults.add('tus-patch', { kind: 'drop-after', bytes: 100_000 }, { skip: 4 });
    const first = attempt(1);
    await expectFailure(fetchProbeStore(first.env, 'padded'), 'RetryableError', /ECONNRESET|other side closed|EPIPE/);
    const lastBeat = first.beats.at(-1);
    expect(lastBeat).toMatchObject({
      phase: 'storing',
      bytes: CHUNK * 4,
      output: { bytes: SIZE, sha256: output.sha256() },
      upload: { offset: CHUNK * 4, totalBytes: SIZE },
    });

    const second = attempt(2, lastBeat);
    const result = await fetchProbeStore(second.env, 'padded', worker);

    expect(result).toMatchObject({ bytes: SIZE, sha256: output.sha256() });
    expect(ranges()).toEqual(expectedRanges);
    expect(server.tusUploads()).toEqual([
      expect.objectContaining({ completed: true, bytesReceived: SIZE, offset: SIZE }),
    ]);
    expect(server.object('video-clips', OBJECT)?.metadata).toEqual({ size: SIZE, sha256: output.sha256() });
    // The upload's checkpoint outlives the second fetch: a crash there would still resume it.
    expect(second.beats[0]).toEqual({
      phase: 'fetching',
      bytes: 0,
      output: lastBeat?.output,
      upload: lastBeat?.upload,
    });
    expect(second.beats.at(-1)).toMatchObject({ phase: 'stored', bytes: SIZE });
    expect(await readdir(join(workDir, worker))).toEqual([]);
  });

  it('starts a new upload when the one in the heartbeat has expired', async () => {
    server.faults.add('tus-patch', { kind: 'drop' }, { skip: 2 });
    const first = attempt(1);
    await expectFailure(fetchProbeStore(first.env, 'padded'), 'RetryableError');
    server.expireTusUploads();

    const second = attempt(2, first.beats.at(-1));
    const result = await fetchProbeStore(second.env, 'padded-ignore-range');
    expect(result.sha256).toBe(output.sha256());
    expect(ranges()).toEqual([null]);
    expect(server.tusUploads().map((upload) => upload.completed)).toEqual([false, true]);
  });

  it('does not resume an upload of different bytes: a checkpoint of another output starts over', async () => {
    server.faults.add('tus-patch', { kind: 'drop' }, { skip: 2 });
    const first = attempt(1);
    await expectFailure(fetchProbeStore(first.env, 'padded'), 'RetryableError');
    const lastBeat = first.beats.at(-1) as FetchProbeStoreHeartbeat;

    const second = attempt(2, { ...lastBeat, output: { bytes: SIZE, sha256: '0'.repeat(64) } });
    const result = await fetchProbeStore(second.env, 'padded');
    expect(result.sha256).toBe(output.sha256());
    expect(server.tusUploads().map((upload) => upload.completed)).toEqual([false, true]);
  });
});
