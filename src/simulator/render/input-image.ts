import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameSize } from '../models/model';
import { FFPROBE_PATH } from '../../media/binaries';
import { runProcess } from './process';

const FETCH_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 10_000;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export interface InputImage {
  path: string;
  sha256: string;
  size: FrameSize;
}

/**
 * Downloads (http/https) or decodes (data:) an input image into the cache and reads its size.
 * Returns null when it cannot be fetched or is not an image: the model then renders a pattern.
 */
export async function loadInputImage(url: string, cacheDir: string, signal: AbortSignal): Promise<InputImage | null> {
  try {
    const bytes = await readImageBytes(url, signal);
    if (!bytes || bytes.length === 0) return null;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const imagePath = await storeOnce(path.join(cacheDir, 'images'), sha256, bytes);
    const size = await probeImageSize(imagePath, signal);
    return size ? { path: imagePath, sha256, size } : null;
  } catch {
    return null;
  }
}

async function readImageBytes(url: string, signal: AbortSignal): Promise<Buffer | null> {
  if (url.startsWith('data:')) return decodeDataUri(url);
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const response = await fetch(parsed, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
    redirect: 'follow',
  });
  if (!response.ok || !response.body) return null;
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.length;
    if (total > MAX_IMAGE_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(Buffer.from(value));
  }
}

function decodeDataUri(uri: string): Buffer | null {
  const comma = uri.indexOf(',');
  if (comma < 0) return null;
  const meta = uri.slice(5, comma);
  const payload = uri.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload));
}

async function storeOnce(dir: string, name: string, bytes: Buffer): Promise<string> {
  const target = path.join(dir, name);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists) return target;
  await mkdir(dir, { recursive: true });
  const partial = `${target}.${process.pid}.${Date.now()}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, target);
  return target;
}

async function probeImageSize(imagePath: string, signal: AbortSignal): Promise<FrameSize | null> {
  const { stdout } = await runProcess(
    FFPROBE_PATH,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', imagePath],
    { timeoutMs: PROBE_TIMEOUT_MS, signal },
  );
  const parsed = JSON.parse(stdout.toString('utf8')) as { streams?: { width?: number; height?: number }[] };
  const stream = parsed.streams?.[0];
  if (!stream?.width || !stream.height) return null;
  return { width: stream.width, height: stream.height };
}
