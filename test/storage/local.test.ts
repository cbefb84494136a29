import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

/** A body that yields `data` in small pieces. */
function body(data: Buffer): Readable {
  async function* pieces() {
    for (let offset = 0; offset < data.length; offset += 4096) yield data.subarray(offset, offset + 4096);
  }
  return Readable.from(pieces());
}

const jobDir = () => join(root, 'video-clips', 'job-1');

/** Local specifics; what every backend promises is in contract.test.ts. */
describe('local storage', () => {
  it('keeps an object at {root}/{bucket}/{path}, which its file:// URL names', async () => {
    const data = randomBytes(300_000);
    const stored = await storage.put('job-1/clip_0.mp4', body(data), { contentType: 'video/mp4' });
    expect(stored.url).toMatch(/^file:\/\//);
    expect(fileURLToPath(stored.url)).toBe(join(jobDir(), 'clip_0.mp4'));
    expect((await readFile(fileURLToPath(stored.url))).equals(data)).toBe(true);
    expect(stored.sha256).toBe(sha256(data));
  });

  it('removes what a writer killed mid-put left behind, and only that', async () => {
    const uploads = join(root, '.uploads', 'video-clips');
    await mkdir(uploads, { recursive: true });
    const abandoned = 'job-1%2Fclip_0.mp4.0b8a3c1e-52f4-4d3c-9a57-6a0d2b1c9e11.partial';
    const others = [
      'job-1%2Fclip_1.mp4.0b8a3c1e-52f4-4d3c-9a57-6a0d2b1c9e11.partial',
      'job-1%2Fclip_0.mp4.bak.partial',
    ];
    for (const name of [abandoned, ...others]) await writeFile(join(uploads, name), 'half a clip');

    await storage.put('job-1/clip_0.mp4', body(randomBytes(10_000)), { contentType: 'video/mp4' });

    expect(await readdir(jobDir())).toEqual(['clip_0.mp4']);
    expect((await readdir(uploads)).sort()).toEqual(others.sort());
  });

  it('leaves no job folder behind when a put fails or is aborted', async () => {
    async function* cutOff() {
      yield randomBytes(50_000);
      throw new Error('connection lost');
    }
    await expectFailure(
      storage.put('job-1/clip_0.mp4', Readable.from(cutOff()), { contentType: 'video/mp4' }),
      'RetryableError',
      /connection lost/,
    );
    const controller = new AbortController();
    const aborted = storage.put('job-2/clip_0.mp4', Readable.from(cutOff()), {
      contentType: 'video/mp4',
      signal: controller.signal,
    });
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    expect(await readdir(join(root, 'video-clips')).catch(() => [])).toEqual([]);
    expect(await readdir(join(root, '.uploads', 'video-clips'))).toEqual([]);
  });

  it('keeps the metadata of an object in a sidecar file beside the bucket', async () => {
    const data = randomBytes(1000);
    await storage.put('job-1/clip_0.mp4', body(data), { contentType: 'video/mp4', metadata: { predictionId: 'p1' } });
    const sidecar = JSON.parse(
      await readFile(join(root, '.metadata', 'video-clips', 'job-1', 'clip_0.mp4.json'), 'utf8'),
    );
    expect(sidecar).toEqual({ predictionId: 'p1', contentType: 'video/mp4', size: 1000, sha256: sha256(data) });
    await expect(storage.stat('job-1/clip_0.mp4')).resolves.toEqual({ bytes: 1000, metadata: sidecar });
    expect(await readdir(jobDir())).toEqual(['clip_0.mp4']);
  });

  it('creates nothing when it refuses a path', async () => {
    await expectFailure(
      storage.put('../escape.mp4', body(Buffer.from('x')), { contentType: 'video/mp4' }),
      'InvalidInput',
      /Invalid storage path/,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('uses the configured bucket folder', async () => {
    const other = createLocalStorage({ rootDir: root, bucket: 'renders' });
    const stored = await other.put('j/clip_1.mp4', body(Buffer.from('video')), { contentType: 'video/mp4' });
    expect(stored.fullPath).toBe('renders/j/clip_1.mp4');
    expect(await readFile(join(root, 'renders', 'j', 'clip_1.mp4'), 'utf8')).toBe('video');
  });
});
