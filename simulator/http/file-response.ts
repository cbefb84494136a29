import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Serves an MP4 with Range support. `truncated` announces the full length, sends half and then closes the
 * socket, as a broken download would. `stallMs` sends half, waits that long, then sends the rest.
 */
export async function sendVideoFile(
  req: IncomingMessage,
  res: ServerResponse,
  filePath: string,
  options: { truncated: boolean; stallMs?: number; onBytes?: (bytes: number) => void },
): Promise<void> {
  const { size } = await stat(filePath);
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string> = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes' };
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': '0' });
    res.end();
    return;
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const length = end - start + 1;
  if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range.kind === 'partial' ? 206 : 200, { ...headers, 'content-length': String(length) });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  const half = start + Math.floor(length / 2) - 1;
  const counted = (stream: ReadStream) => {
    stream.on('data', (chunk) => options.onBytes?.(chunk.length));
    return stream;
  };
  if (options.stallMs !== undefined && half >= start) {
    await sendStalled(res, filePath, { start, half, end, stallMs: options.stallMs }, counted);
    return;
  }
  const sendUntil = options.truncated ? half : end;
  const stream = counted(createReadStream(filePath, { start, end: Math.max(start, sendUntil) }));
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  if (options.truncated) {
    stream.on('end', () => res.destroy());
    stream.pipe(res, { end: false });
  } else {
    stream.pipe(res);
  }
}

async function sendStalled(
  res: ServerResponse,
  filePath: string,
  { start, half, end, stallMs }: { start: number; half: number; end: number; stallMs: number },
  counted: (stream: ReadStream) => ReadStream,
): Promise<void> {
  const first = counted(createReadStream(filePath, { start, end: half }));
  first.on('error', () => res.destroy());
  res.on('close', () => first.destroy());
  first.pipe(res, { end: false });
  await new Promise<void>((done) => first.once('close', () => done()));
  const timer = setTimeout(() => {
    if (res.destroyed) return;
    const rest = counted(createReadStream(filePath, { start: half + 1, end }));
    rest.on('error', () => res.destroy());
    res.on('close', () => rest.destroy());
    rest.pipe(res);
  }, stallMs);
  res.on('close', () => clearTimeout(timer));
}

export type RangeResult =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Interprets a `Range` header for a file of `size` bytes (RFC 9110 §14). Only single byte ranges are served
 * partially; anything else gets the whole file, which the RFC allows.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
