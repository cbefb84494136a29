import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';

const MAX_JSON_BYTES = 1024 * 1024;

/** A small JSON body (bucket and list/sign requests); null when it is not JSON. */
export async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_JSON_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export type WriteOutcome =
  /** The whole body is in the file. */
  | { kind: 'complete'; bytes: number }
  /** More than `limit` bytes came; the file holds the first `bytes` (up to the limit). */
  | { kind: 'over-limit'; bytes: number }
  /** The client went away (or a drop fault cut it off); the file holds what arrived. */
  | { kind: 'interrupted'; bytes: number };

/**
 * Streams a request body into `file`, never holding more than a chunk, telling `onWrite` about every stored piece.
 * Bytes past `limit` are read and dropped (so the client gets the answer rather than a reset). `dropAfter` cuts the
 * connection once that many bytes are written, like a network failure mid-upload.
 */
export async function writeBody(
  request: IncomingMessage,
  file: string,
  {
    limit,
    dropAfter,
    append = false,
    onWrite,
  }: { limit: number; dropAfter?: number; append?: boolean; onWrite?: (bytes: number) => void },
): Promise<WriteOutcome> {
  const handle = await open(file, append ? 'a' : 'w');
  let bytes = 0;
  let overLimit = false;
  try {
    for await (const received of request) {
      const chunk = received as Buffer;
      const room = Math.min(limit, dropAfter ?? Infinity) - bytes;
      const kept = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
      if (kept.length > 0) await handle.write(kept);
      bytes += kept.length;
      // Counted before the connection can be cut below, so a client that sees the cut also sees the bytes.
      onWrite?.(kept.length);
      if (dropAfter !== undefined && bytes >= dropAfter) {
        request.socket.destroy();
        return { kind: 'interrupted', bytes };
      }
      if (kept.length < chunk.length) overLimit = true;
    }
    if (overLimit) return { kind: 'over-limit', bytes };
    return request.complete ? { kind: 'complete', bytes } : { kind: 'interrupted', bytes };
  } catch {
    return { kind: 'interrupted', bytes };
  } finally {
    await handle.close();
  }
}

/** After answering early, reads and drops the rest of the body so the client sees the answer, not a reset. */
export function discardBody(request: IncomingMessage): void {
  request.resume();
}
