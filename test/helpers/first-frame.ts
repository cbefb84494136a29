import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { serveFile } from '../../src/http/listen';
import { FFMPEG_PATH } from '../../src/media/binaries';

const run = promisify(execFile);

/** Renders a small 16:9 PNG with ffmpeg and serves it on 127.0.0.1, as a clip's first frame. */
export async function serveFirstFrame(): Promise<{ url: string; close(): Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-frame-'));
  const file = path.join(dir, 'first-frame.png');
  await run(FFMPEG_PATH, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180', '-frames:v', '1', '-y', file]);
  const served = await serveFile(file);
  return {
    url: served.url,
    close: async () => {
      await served.close();
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
