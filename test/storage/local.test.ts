import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLocalStorage } from '../../src/storage/local';
import type { StorageClient } from '../../src/storage/types';
import { expectFailure } from '../media/support/expect-failure';

let root: string;
let storage: StorageClient;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'clipgen-local-storage-'));
  storage = createLocalStorage({ rootDir: root });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A body that yields `data` in small pieces, then (optionally) fails or hangs instead of ending. */
function body(data: Buffer, end: 'end' | 'fail' | 'hang' = 'end'): Readable {
  async function* pieces() {
    for (let offset = 0; offset < data.length; offset += 4096) {
      yield data.subarray(offset, offset + 4096);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (end === 'fail') throw new Error('connection lost');
    if (end === 'hang') await new Promise(() => undefined);
  }
  return Readable.from(pieces());
}

const jobDir = () => join(root, 'video-clips', 'job-1');

describe('local storage', () => {
  it('streams a body to bucket/path and reports its URL, size and sha256', async () => {
    const data = randomBytes(300_000);
    const progress: number[] = [];
    const stored = await storage.put('job-1/clip_0.mp4', body(data), {
      contentType: 'video/mp4',
      expectedBytes: data.length,
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(stored).toEqual({
      path: 'job-1/clip_0.mp4',
      fullPath: 'video-clips/job-1/clip_0.mp4',
      url: expect.stringMatching(/^file:\/\//),
      bytes: data.length,
      sha256: sha256(data),
    });
    expect(fileURLToPath(stored.url)).toBe(join(jobDir(), 'clip_0.mp4'));
    expect((await readFile(fileURLToPath(stored.url))).equals(data)).toBe(true);
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toBe(data.length);
    await expect(storage.stat('job-1/clip_0.mp4')).resolves.toEqual({ bytes: data.length });
    await expect(storage.stat('job-1/clip_9.mp4')).resolves.toBeNull();
  });

  it('overwrites on a second put of the same path, leaving one file and no temporary files', async () => {
    await storage.put('job-1/clip_0.mp4', body(randomBytes(50_000)), { contentType: 'video/mp4' });
    const second = randomBytes(20_000);
    const stored = await storage.put('job-1/clip_0.mp4', body(second), { contentType: 'video/mp4' });
    expect(stored.bytes).toBe(second.length);
    expect(await readdir(jobDir())).toEqual(['clip_0.mp4']);
    expect((await readFile(join(jobDir(), 'clip_0.mp4'))).equals(second)).toBe(true);
  });

  it('keeps the previous version whole when a later put fails midway', async () => {
    const first = randomBytes(40_000);
    await storage.put('job-1/clip_0.mp4', body(first), { contentType: 'video/mp4' });
    await expectFailure(
      storage.put('job-1/clip_0.mp4', body(randomBytes(60_000), 'fail'), { contentType: 'video/mp4' }),
      'RetryableError',
      /connection lost/,
    );
    expect(await readdir(jobDir())).toEqual(['clip_0.mp4']);
    expect((await readFile(join(jobDir(), 'clip_0.mp4'))).equals(first)).toBe(true);
  });

  it('rejects a body shorter than announced and keeps nothing', async () => {
    await expectFailure(
      storage.put('job-1/clip_0.mp4', body(randomBytes(10_000)), { contentType: 'video/mp4', expectedBytes: 12_000 }),
      'RetryableError',
      /received 10000 bytes, expected 12000/,
    );
    expect(await readdir(jobDir())).toEqual([]);
  });

  it('stops on abort with the caller’s reason and removes the temporary file', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const put = storage.put('job-1/clip_0.mp4', body(randomBytes(100_000), 'hang'), {
      contentType: 'video/mp4',
      signal: controller.signal,
      onProgress: (bytes) => {
        if (bytes === 100_000) setTimeout(() => controller.abort(reason), 20);
      },
    });
    await expect(put).rejects.toBe(reason);
    expect(await readdir(jobDir())).toEqual([]);
  });

  it('refuses paths that could leave the bucket', async () => {
    for (const path of ['../escape.mp4', 'job-1/../../escape.mp4', '/etc/passwd', 'job-1//clip.mp4', 'a\\b.mp4', '']) {
      await expectFailure(
        storage.put(path, body(Buffer.from('x')), { contentType: 'video/mp4' }),
        'InvalidInput',
        /Invalid storage path/,
      );
    }
    await expectFailure(storage.stat('../video-clips'), 'InvalidInput');
    expect(await readdir(root)).toEqual([]);
  });

  it('uses the configured bucket folder', async () => {
    const other = createLocalStorage({ rootDir: root, bucket: 'renders' });
    const stored = await other.put('j/clip_1.mp4', body(Buffer.from('video')), { contentType: 'video/mp4' });
    expect(stored.fullPath).toBe('renders/j/clip_1.mp4');
    expect(await readFile(join(root, 'renders', 'j', 'clip_1.mp4'), 'utf8')).toBe('video');
  });
});
