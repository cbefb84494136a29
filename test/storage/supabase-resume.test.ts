import { Readable } from 'node:stream';
import { createSupabaseStorage } from '../../src/storage/supabase';
import type { StorageClient, UploadCheckpoint } from '../../src/storage/types';
import { expectFailure } from '../media/support/expect-failure';
import {
  patternBytes,
  patternPieces,
  patternSha256,
  patternStream,
} from '../stand-ins/supabase-storage/generated-source';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';

const CHUNK = 64 * 1024;
const SIZE = CHUNK * 8 + 1234;
const PATH = 'job/clip_0.mp4';

let server: StorageServer;
let storage: StorageClient;

beforeEach(async () => {
  server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
  storage = createSupabaseStorage({
    url: server.url,
    serviceRoleKey: server.keys.serviceRoleKey,
    standardUploadMaxBytes: CHUNK,
    resumableChunkBytes: CHUNK,
  });
});
afterEach(async () => {
  await server.close();
});

/** A first attempt that the server cuts off `bytes` into PATCH number `skip + 1`; returns its last checkpoint. */
function interruptedAttempt(skip: number, bytes: number): Promise<UploadCheckpoint> {
  server.faults.add('tus-patch', { kind: 'drop-after', bytes }, { skip });
  return failedAttempt();
}

/** A put that fails (with a message matching `message`, when given); returns its last checkpoint. */
async function failedAttempt(message?: RegExp): Promise<UploadCheckpoint> {
  let last: UploadCheckpoint | null = null;
  await expectFailure(
    storage.put(PATH, patternStream(SIZE), {
      contentType: 'video/mp4',
      expectedBytes: SIZE,
      onCheckpoint: (checkpoint) => (last = checkpoint),
    }),
    'RetryableError',
    message,
  );
  if (!last) throw new Error('no checkpoint');
  // Checkpoints travel through Temporal as JSON.
  return JSON.parse(JSON.stringify(last)) as UploadCheckpoint;
}

const theUpload = () => {
  expect(server.tusUploads()).toHaveLength(1);
  return server.tusUploads()[0];
};

describe('resuming a Supabase upload', () => {
  it('continues from the checkpoint: the download resumes there and only bytes the server lacks are sent', async () => {
    const checkpoint = await interruptedAttempt(3, 10_000);
    expect(checkpoint).toMatchObject({ path: PATH, offset: 3 * CHUNK, totalBytes: SIZE });
    expect(JSON.stringify(checkpoint)).not.toContain(server.keys.serviceRoleKey);
    expect(theUpload().offset).toBe(3 * CHUNK + 10_000);

    const plan = await storage.planResume!(checkpoint);
    expect(plan).toEqual({ checkpoint, serverOffset: 3 * CHUNK + 10_000 });
    const stored = await storage.put(PATH, patternStream(SIZE, checkpoint.offset), {
      contentType: 'video/mp4',
      expectedBytes: SIZE - checkpoint.offset,
      bodyStartsAt: checkpoint.offset,
      resume: plan!,
    });

    expect(stored).toMatchObject({ bytes: SIZE, sha256: patternSha256(SIZE) });
    expect(theUpload()).toMatchObject({ completed: true, bytesReceived: SIZE });
    expect((await server.readObject('video-clips', PATH)).equals(patternBytes(SIZE))).toBe(true);
  });

  it('skips the stored bytes when the source sends everything again (it ignored Range)', async () => {
    const checkpoint = await interruptedAttempt(5, 30_000);
    const plan = await storage.planResume!(checkpoint);
    const stored = await storage.put(PATH, patternStream(SIZE), {
      contentType: 'video/mp4',
      expectedBytes: SIZE,
      bodyStartsAt: 0,
      resume: plan!,
    });
    expect(stored).toMatchObject({ bytes: SIZE, sha256: patternSha256(SIZE) });
    expect(theUpload()).toMatchObject({ completed: true, bytesReceived: SIZE });
  });

  it('resumes an upload cut off in its first chunk, whose only checkpoint is the creation', async () => {
    const checkpoint = await interruptedAttempt(0, 5_000);
    expect(checkpoint.offset).toBe(0);
    const plan = await storage.planResume!(checkpoint);
    expect(plan?.serverOffset).toBe(5_000);
    const stored = await storage.put(PATH, patternStream(SIZE), {
      contentType: 'video/mp4',
      expectedBytes: SIZE,
      resume: plan!,
    });
    expect(stored.sha256).toBe(patternSha256(SIZE));
    expect(theUpload().bytesReceived).toBe(SIZE);
  });

  it('finishes without sending anything when the upload completed but the attempt failed afterwards', async () => {
    server.faults.add('sign', { kind: 'status', status: 500 });
    const checkpoint = await failedAttempt(/signing a URL/);
    expect(checkpoint.offset).toBe(SIZE);
    const plan = await storage.planResume!(checkpoint);
    expect(plan?.serverOffset).toBe(SIZE);
    const requestsBefore = server.requests.length;
    const stored = await storage.put(PATH, Readable.from([]), {
      contentType: 'video/mp4',
      expectedBytes: 0,
      bodyStartsAt: SIZE,
      resume: plan!,
    });
    expect(stored).toMatchObject({ bytes: SIZE, sha256: patternSha256(SIZE) });
    expect(server.requests.slice(requestsBefore).map((request) => request.method)).toEqual(['POST']);
    expect(theUpload().bytesReceived).toBe(SIZE);
  });

  it('has nothing to resume once the upload expired, or for a URL outside this project', async () => {
    const checkpoint = await interruptedAttempt(2, 1_000);
    await expect(
      storage.planResume!({ ...checkpoint, uploadUrl: 'https://elsewhere.example/upload/x' }),
    ).resolves.toBeNull();
    server.expireTusUploads();
    await expect(storage.planResume!(checkpoint)).resolves.toBeNull();
  });

  it('keeps the checkpoint when the source is cut short, so the retry resumes', async () => {
    let last: UploadCheckpoint | null = null;
    await expectFailure(
      storage.put(PATH, Readable.from(patternPieces(0, CHUNK * 5 + 100)), {
        contentType: 'video/mp4',
        expectedBytes: SIZE,
        onCheckpoint: (checkpoint) => (last = checkpoint),
      }),
      'RetryableError',
      /the source ended after 327780 bytes of 525522; the upload holds 327680/,
    );
    const checkpoint = last as unknown as UploadCheckpoint;
    expect(checkpoint.offset).toBe(CHUNK * 5);
    const plan = await storage.planResume!(checkpoint);
    const stored = await storage.put(PATH, patternStream(SIZE, checkpoint.offset), {
      contentType: 'video/mp4',
      expectedBytes: SIZE - checkpoint.offset,
      bodyStartsAt: checkpoint.offset,
      resume: plan!,
    });
    expect(stored.sha256).toBe(patternSha256(SIZE));
    expect(theUpload().bytesReceived).toBe(SIZE);
  });

  it('starts over when the source changed size since the checkpoint', async () => {
    const checkpoint = await interruptedAttempt(2, 1_000);
    const plan = await storage.planResume!(checkpoint);
    let dropped = false;
    await expectFailure(
      storage.put(PATH, patternStream(SIZE + 1, checkpoint.offset), {
        contentType: 'video/mp4',
        expectedBytes: SIZE + 1 - checkpoint.offset,
        bodyStartsAt: checkpoint.offset,
        resume: plan!,
        onCheckpoint: (next) => (dropped = next === null),
      }),
      'RetryableError',
      /the source is now \d+ bytes, not \d+; the next attempt starts over/,
    );
    expect(dropped).toBe(true);
  });
});
