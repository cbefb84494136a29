import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { StoreClipInput, StoreClipResult } from '../../src/activities/contracts';
import { mediaActivities } from '../../src/activities/media';
import type { StoreHeartbeat } from '../../src/activities/store-heartbeats';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { createSupabaseStorage } from '../../src/storage/supabase';
import { expectFailure } from '../media/support/expect-failure';
import {
  patternBytes,
  patternSha256,
  startGeneratedSource,
  type GeneratedSource,
} from '../supabase-storage/generated-source';
import { startStorageServer, type StorageServer } from '../supabase-storage/server';

const JOB_ID = '0b6f5e1c-7d0a-4a43-8a1e-3f0c2d9e8b71';
const CHUNK = 256 * 1024;
const SIZE = CHUNK * 10 + 999;
const OBJECT = `${JOB_ID}/clip_2.mp4`;

let server: StorageServer;
let source: GeneratedSource;

beforeEach(async () => {
  server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
  source = await startGeneratedSource();
});
afterEach(async () => {
  await source.close();
  await server.close();
});

function storeClip(env: MockActivityEnvironment, input: StoreClipInput): Promise<StoreClipResult> {
  const activities = mediaActivities({
    storage: createSupabaseStorage({
      url: server.url,
      serviceRoleKey: server.keys.serviceRoleKey,
      standardUploadMaxBytes: CHUNK,
      resumableChunkBytes: CHUNK,
    }),
    download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: true },
  });
  return env.run(activities.storeClip, input) as Promise<StoreClipResult>;
}

/** An attempt of storeClip, recording its heartbeats; `heartbeatDetails` are what the last attempt left. */
function attempt(attemptNumber: number, heartbeatDetails?: unknown) {
  const env = new MockActivityEnvironment(
    { attempt: attemptNumber, heartbeatDetails },
    { logger: new DefaultLogger('ERROR') },
  );
  const beats: StoreHeartbeat[] = [];
  env.on('heartbeat', (details: StoreHeartbeat) => beats.push(details));
  return { env, beats };
}

const input = (kind: 'bytes' | 'bytes-ignore-range'): StoreClipInput => ({
  jobId: JOB_ID,
  clipIndex: 2,
  sourceUrl: source.url(kind, SIZE),
});

describe('storeClip with Supabase Storage', () => {
  it('stores the output at video-clips/{jobId}/clip_{i}.mp4 and returns a signed URL', async () => {
    const first = attempt(1);
    const result = await storeClip(first.env, input('bytes'));
    expect(result).toEqual({
      url: expect.stringContaining(`${server.url}/storage/v1/object/sign/video-clips/${OBJECT}?token=`),
      storagePath: `video-clips/${OBJECT}`,
      bytes: SIZE,
      sha256: patternSha256(SIZE),
    });
    expect(server.object('video-clips', OBJECT)?.size).toBe(SIZE);
    expect(first.beats.at(-1)).toEqual({ bytes: SIZE });
  });

  it.each([
    ['resumes the download at the checkpoint', 'bytes' as const, `bytes=${CHUNK * 4}-`],
    ['skips the stored bytes of a source that ignores Range', 'bytes-ignore-range' as const, `bytes=${CHUNK * 4}-`],
  ])('a retry after a dropped connection %s and sends only the missing bytes', async (_, kind, range) => {
    server.faults.add('tus-patch', { kind: 'drop-after', bytes: 100_000 }, { skip: 4 });
    const first = attempt(1);
    await expectFailure(storeClip(first.env, input(kind)), 'RetryableError', /ECONNRESET|other side closed|EPIPE/);
    const lastBeat = first.beats.at(-1);
    expect(lastBeat).toMatchObject({ bytes: CHUNK * 4, upload: { offset: CHUNK * 4, totalBytes: SIZE } });

    const second = attempt(2, lastBeat);
    const result = await storeClip(second.env, input(kind));

    expect(result).toMatchObject({ bytes: SIZE, sha256: patternSha256(SIZE) });
    expect(source.requests.map((request) => request.range)).toEqual([null, range]);
    expect(server.tusUploads()).toEqual([
      expect.objectContaining({ completed: true, bytesReceived: SIZE, offset: SIZE }),
    ]);
    expect((await server.readObject('video-clips', OBJECT)).equals(patternBytes(SIZE))).toBe(true);
    expect(second.beats[0]).toEqual(lastBeat);
    expect(second.beats.at(-1)).toEqual({ bytes: SIZE });
  });

  it('starts a new upload when the one in the heartbeat has expired', async () => {
    server.faults.add('tus-patch', { kind: 'drop' }, { skip: 2 });
    const first = attempt(1);
    await expectFailure(storeClip(first.env, input('bytes')), 'RetryableError');
    server.expireTusUploads();

    const second = attempt(2, first.beats.at(-1));
    const result = await storeClip(second.env, input('bytes'));
    expect(result.sha256).toBe(patternSha256(SIZE));
    expect(source.requests.map((request) => request.range)).toEqual([null, null]);
    expect(server.tusUploads().map((upload) => upload.completed)).toEqual([false, true]);
  });
});
