import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../../src/media/download';
import { Spool } from '../../src/media/spool';
import { makeMp4 } from './support/make-media';
import { startMediaServer, type MediaServer } from './support/media-server';

/** While set, the spool file's open waits this long, as on a worker whose file-system threads are busy. */
let mockOpenDelayMs = 0;
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return {
    ...actual,
    createWriteStream: (path: string, options: Record<string, unknown>) =>
      actual.createWriteStream(path, {
        ...options,
        fs: {
          ...actual,
          open: (...args: Parameters<typeof actual.open>) =>
            setTimeout(() => (actual.open as (...a: unknown[]) => void)(...args), mockOpenDelayMs),
        },
      }),
  };
});

const policy: DownloadPolicy = { ...DEFAULT_DOWNLOAD_POLICY, idleTimeoutMs: 5_000, allowPrivateHosts: true };
const key = { jobId: 'job/../1', clipIndex: 2, predictionId: 'pred-1' };

let dir: string;
let spoolDir: string;
let server: MediaServer;
let clip: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipgen-spool-'));
  clip = await readFile(await makeMp4(dir, 'clip.mp4', { frames: 9, fps: 8 }));
  server = await startMediaServer(dir);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  spoolDir = await mkdtemp(join(dir, 'spool-'));
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('Spool', () => {
  it('names one file per (job, clip, prediction), inside its folder whatever the ids hold', () => {
    const spool = new Spool(spoolDir);
    const { partial, complete } = spool.files(key);
    expect(partial.startsWith(`${spoolDir}/job____1.2.pred-1.`)).toBe(true);
    expect(complete).toBe(partial.replace(/\.part$/, '.mp4'));
    expect(spool.files({ ...key, jobId: 'job____1' }).complete).not.toBe(complete);
    expect(spool.files({ ...key, predictionId: 'pred-2' }).complete).not.toBe(complete);
  });

  it('finishes a partial file that already holds every byte: the server answers 416, nothing is sent', async () => {
    const spool = new Spool(spoolDir);
    await writeFile(spool.files(key).partial, clip);
    const url = server.url('/files/clip.mp4?complete-partial');
    const output = await spool.fetch(url, key, policy);
    expect(output).toMatchObject({ bytes: clip.length, sha256: sha256(clip), resumedAt: clip.length, received: 0 });
    expect(server.served.filter((request) => request.path.includes('complete-partial'))).toEqual([
      expect.objectContaining({ range: `bytes=${clip.length}-`, bytes: 0 }),
    ]);
    expect(await readdir(spoolDir)).toEqual([expect.stringMatching(/\.mp4$/)]);
  });

  it('writes the file afresh when the server ignores the Range', async () => {
    const spool = new Spool(spoolDir);
    await writeFile(spool.files(key).partial, Buffer.from('stale bytes of an earlier try'));
    const output = await spool.fetch(server.url('/ignore-range/clip.mp4'), key, policy);
    expect(output).toMatchObject({ bytes: clip.length, sha256: sha256(clip), resumedAt: 0, received: clip.length });
    expect((await readFile(output.path)).equals(clip)).toBe(true);
  });

  it('has closed its file when a fetch fails, so removing the key then leaves nothing behind', async () => {
    // The file's open is still pending when the transfer fails at its first chunk. Unless the fetch waits for it,
    // the open lands after the removal and leaves an empty file behind, as one CI run saw.
    mockOpenDelayMs = 300;
    try {
      const spool = new Spool(spoolDir);
      const capped = { ...policy, maxBytes: 1024 };
      await expect(spool.fetch(server.url('/no-length/clip.mp4'), key, capped)).rejects.toThrow(/1 KiB/);
      await spool.remove(key);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      mockOpenDelayMs = 0;
    }
  });

  it('uses a complete file as it is, without a request', async () => {
    const spool = new Spool(spoolDir);
    await mkdir(spoolDir, { recursive: true });
    await writeFile(spool.files(key).complete, clip);
    const before = server.requests.length;
    await expect(spool.fetch(server.url('/files/clip.mp4'), key, policy)).resolves.toMatchObject({
      sha256: sha256(clip),
      received: 0,
    });
    expect(server.requests.length).toBe(before);
  });

  it('lets one attempt at a time hold a key: a later claim aborts the earlier one and waits for it', async () => {
    const spool = new Spool(spoolDir);
    const first = await spool.claim(key);
    const events: string[] = [];
    first.signal.addEventListener('abort', () => {
      events.push('first aborted');
      setTimeout(() => {
        events.push('first released');
        first.release();
      }, 50);
    });
    const second = await spool.claim(key);
    events.push('second claimed');
    expect(events).toEqual(['first aborted', 'first released', 'second claimed']);
    expect(first.signal.reason).toBeInstanceOf(ApplicationFailure);
    expect((first.signal.reason as ApplicationFailure).type).toBe('RetryableError');
    expect(second.signal.aborted).toBe(false);
    second.release();
    const other = await spool.claim({ ...key, clipIndex: 3 });
    expect(other.signal.aborted).toBe(false);
    other.release();
  });
});
