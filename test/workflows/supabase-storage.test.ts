import { createSupabaseStorage, type SupabaseStorageOptions } from '../../src/storage/supabase';
import { startStorageServer, type StorageServer } from '../stand-ins/supabase-storage/server';
import { ClipHarness } from './harness';

let harness: ClipHarness;
let server: StorageServer;

beforeAll(async () => {
  harness = await ClipHarness.start();
  server = await startStorageServer({ buckets: [{ id: 'video-clips' }] });
});
afterAll(async () => {
  await harness?.close();
  await server?.close();
});

function useSupabase(options: Partial<SupabaseStorageOptions> = {}) {
  harness.storage = createSupabaseStorage({ url: server.url, serviceRoleKey: server.keys.serviceRoleKey, ...options });
}

describe('generateClipWorkflow with STORAGE_BACKEND=supabase', () => {
  it('stores the clip in the bucket at video-clips/{jobId}/clip_{i}.mp4 and returns a signed URL to it', async () => {
    useSupabase();
    const input = harness.input({ clipIndex: 3 });
    const clip = await harness.run(input);

    const object = server.object('video-clips', `${input.jobId}/clip_3.mp4`);
    expect(object).toMatchObject({ size: clip.video.bytes, contentType: 'video/mp4', uploadType: 'standard' });
    expect(clip.storagePath).toBe(`video-clips/${input.jobId}/clip_3.mp4`);
    expect(
      clip.videoUrl.startsWith(`${server.url}/storage/v1/object/sign/video-clips/${input.jobId}/clip_3.mp4?token=`),
    ).toBe(true);
    const served = await fetch(clip.videoUrl);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).length).toBe(clip.video.bytes);
  });

  it('resumes a resumable upload cut off mid-chunk on the retried attempt, sending no byte twice', async () => {
    useSupabase({ standardUploadMaxBytes: 4096, resumableChunkBytes: 4096 });
    server.faults.add('tus-patch', { kind: 'drop-after', bytes: 1000 }, { skip: 2 });
    const input = harness.input({ clipIndex: 0 });
    const clip = await harness.run(input);

    const object = server.object('video-clips', `${input.jobId}/clip_0.mp4`);
    expect(object).toMatchObject({ size: clip.video.bytes, uploadType: 'resumable' });
    const uploads = server.tusUploads().filter((upload) => upload.name === `${input.jobId}/clip_0.mp4`);
    expect(uploads).toEqual([expect.objectContaining({ completed: true, bytesReceived: clip.video.bytes })]);
    // The retry asked the server where the upload stood, and went on from there.
    expect(server.requests.filter((request) => request.method === 'HEAD')).toHaveLength(1);
  });
});
