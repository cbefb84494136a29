import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFile } from '../../src/media/probe';
import { makeAudioOnlyMp4, makeMp4, makeTsSegment } from './support/make-media';
import { startMediaServer, type MediaServer } from './support/media-server';
import { expectFailure } from './support/expect-failure';

const options = { timeoutMs: 15_000, where: 'the output' };
/** Seconds to sleep, made unique to this run: 30.<pid>. */
const HANG_MARKER = `30.${process.pid}`;

let dir: string;
let server: MediaServer;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clipgen-probe-'));
  await Promise.all([
    makeMp4(dir, 'svd.mp4', { frames: 49, fps: 8 }),
    makeMp4(dir, 'seven.mp4', { frames: 25, fps: 7, width: 128, height: 72 }),
    makeMp4(dir, 'moov-at-end.mp4', { frames: 49, fps: 8, faststart: false }),
    makeAudioOnlyMp4(dir, 'audio.mp4'),
    makeTsSegment(dir, 'hls-segment.ts', { frames: 49, fps: 8 }),
  ]);
  const whole = await readFile(file('moov-at-end.mp4'));
  await writeFile(file('cut.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
  await writeFile(file('garbage.mp4'), Buffer.alloc(64 * 1024, 7));
  await writeFile(file('page.html'), '<!DOCTYPE html>\n<html><body>503</body></html>\n');
  await writeFile(file('empty.mp4'), '');
  server = await startMediaServer(dir);
  // A playlist whose segment is a real H.264 stream on the test server: ffprobe must neither read it nor follow it.
  await writeFile(
    file('index.m3u8'),
    `#EXTM3U\n#EXT-X-TARGETDURATION:7\n#EXTINF:6.125,\n${server.url('/files/hls-segment.ts')}\n#EXT-X-ENDLIST\n`,
  );
  await writeFile(file('local.m3u8'), `#EXTM3U\n#EXT-X-TARGETDURATION:7\n#EXTINF:6.125,\n${file('hls-segment.ts')}\n`);
  await script('segv.sh', 'kill -SEGV $$');
  await script('exit139.sh', 'exit 139');
  // exec: ffprobe's pid is the sleep's, whose command line carries this marker.
  await script('hang.sh', `exec sleep ${HANG_MARKER}`);
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<void> {
  await writeFile(file(name), `#!/bin/sh\n${body}\n`);
  await chmod(file(name), 0o755);
}

describe('probeFile', () => {
  it('measures an SVD-like clip exactly: 49 frames at 8 fps', async () => {
    await expect(probeFile(file('svd.mp4'), options)).resolves.toEqual({
      duration: 6.125,
      width: 160,
      height: 96,
      fps: 8,
      codec: 'h264',
      frames: 49,
    });
  });

  it('measures 25 frames at 7 fps as 3.571 s', async () => {
    const probed = await probeFile(file('seven.mp4'), options);
    expect(probed.duration).toBeCloseTo(3.571, 2);
    expect(probed).toMatchObject({ fps: 7, width: 128, height: 72, codec: 'h264', frames: 25 });
  });

  it('reads a file whose index is at the end', async () => {
    await expect(probeFile(file('moov-at-end.mp4'), options)).resolves.toMatchObject({ duration: 6.125, frames: 49 });
  });

  it('rejects what is not a playable MP4 video as a GenerationError', async () => {
    const notPlayable = /^the output is not a playable video/;
    await expectFailure(probeFile(file('garbage.mp4'), options), 'GenerationError', notPlayable);
    await expectFailure(probeFile(file('audio.mp4'), options), 'GenerationError', /no video stream/);
    await expectFailure(probeFile(file('cut.mp4'), options), 'GenerationError', notPlayable);
    await expectFailure(probeFile(file('page.html'), options), 'GenerationError', /it is an HTML page/);
    await expectFailure(probeFile(file('empty.mp4'), options), 'GenerationError', /it is empty/);
    // Another container, even with an H.264 stream in it, would be stored as a mislabelled .mp4.
    await expectFailure(probeFile(file('hls-segment.ts'), options), 'GenerationError', notPlayable);
  });

  it('refuses HLS playlists without opening their segments, remote or local', async () => {
    const before = server.requests.length;
    for (const playlist of ['index.m3u8', 'local.m3u8']) {
      await expectFailure(probeFile(file(playlist), options), 'GenerationError', /it is an HLS playlist/);
    }
    expect(server.requests.length).toBe(before);
  });

  it('reports ffprobe dying of a signal as retryable, naming the signal', async () => {
    await expectFailure(
      probeFile(file('svd.mp4'), { ...options, ffprobePath: file('segv.sh') }),
      'RetryableError',
      /^ffprobe crashed \(killed by SIGSEGV\) while probing the output$/,
    );
    await expectFailure(
      probeFile(file('svd.mp4'), { ...options, ffprobePath: file('exit139.sh') }),
      'RetryableError',
      /^ffprobe crashed \(exit code 139, SIGSEGV\) while probing the output$/,
    );
  });

  it('reports an ffprobe that cannot start as retryable', async () => {
    await expectFailure(
      probeFile(file('svd.mp4'), { ...options, ffprobePath: file('no-such-ffprobe') }),
      'RetryableError',
      /Could not run ffprobe: .*ENOENT/,
    );
  });

  it('kills ffprobe at the wall-clock timeout', async () => {
    const started = Date.now();
    await expectFailure(
      probeFile(file('svd.mp4'), { ...options, timeoutMs: 500, ffprobePath: file('hang.sh') }),
      'RetryableError',
      /did not finish within 500 ms/,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await processesMentioning(HANG_MARKER)).toEqual([]);
  });
});

/** Pids of live processes whose command line contains `text` (Linux /proc). */
async function processesMentioning(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const matches: string[] = [];
  for (const pid of pids) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(text) && pid !== String(process.pid)) matches.push(pid);
  }
  return matches;
}
