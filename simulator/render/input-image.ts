import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameSize } from '../models/model';
import { FFPROBE_PATH } from '../../src/media/binaries';
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
 * The input image cannot be used: the prediction fails with this message, as a real model's does when it cannot
 * fetch or open its image (rather than rendering something anyway).
 */
export class InputImageError extends Error {}

/**
 * Downloads (http/https) or decodes (data:) an input image into the cache and reads its size. Throws an
 * InputImageError when it cannot be fetched or decoded as an image.
 */
export async function loadInputImage(url: string, cacheDir: string, signal: AbortSignal): Promise<InputImage> {
  const where = describeSource(url);
  const bytes = await readImageBytes(url, signal).catch((error: unknown) => {
    if (error instanceof InputImageError || signal.aborted) throw error;
    throw new InputImageError(`Failed to download the input image from ${where}: ${messageOf(error)}`);
  });
  if (bytes.length === 0) {
    throw new InputImageError(`cannot identify image file: the input image from ${where} is empty`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const imagePath = await storeOnce(path.join(cacheDir, 'images'), sha256, bytes);
  const size = await probeImageSize(imagePath, signal).catch((error: unknown) => {
    if (signal.aborted) throw error;
    return null;
  });
  if (!size) throw new InputImageError(`cannot identify image file: the input image from ${where} is not an image`);
  return { path: imagePath, sha256, size };
}

async function readImageBytes(url: string, signal: AbortSignal): Promise<Buffer> {
  if (url.startsWith('data:')) {
    const decoded = decodeDataUri(url);
    if (!decoded) throw new InputImageError('Failed to read the input image: the data URI is malformed');
    return decoded;
  }
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputImageError(`Failed to download the input image: ${parsed.protocol} URLs are not supported`);
  }
  const response = await fetch(parsed, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
    redirect: 'follow',
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    const reason = `${response.status} ${response.statusText}`.trim();
    throw new InputImageError(`Failed to download the input image from ${describeSource(url)}: HTTP ${reason}`);
  }
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.length;
    if (total > MAX_IMAGE_BYTES) {
      await reader.cancel();
      throw new InputImageError(
        `Failed to download the input image from ${describeSource(url)}: it is over ${MAX_IMAGE_BYTES} bytes`,
      );
    }
    chunks.push(Buffer.from(value));
  }
}

/** The URL without its query (signed URLs carry tokens), or `a data URI`. */
function describeSource(url: string): string {
  if (url.startsWith('data:')) return 'a data URI';
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'an unreadable URL';
  }
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
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
  // Concurrent loads of one image each write their own partial file; the renames all land the same bytes.
  const partial = `${target}.${randomUUID()}.partial`;
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
