import { createHash } from 'node:crypto';
import http, { type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { listenForTest } from '../../helpers/local-server';

const BLOCK = 64 * 1024;
/** Pseudo-random bytes, the same every run; each block then gets its index stamped in, so no two blocks match. */
const BASE = (() => {
  const base = Buffer.alloc(BLOCK);
  for (let offset = 0; offset < BLOCK; offset += 32) {
    createHash('sha256').update(`clipgen-pattern-${offset}`).digest().copy(base, offset);
  }
  return base;
})();

function block(index: number): Buffer {
  const bytes = Buffer.from(BASE);
  bytes.writeBigUInt64BE(BigInt(index), 0);
  return bytes;
}

/** Bytes [start, end) of the generated resource, in pieces of at most 64 KiB. */
export function* patternPieces(start: number, end: number): Generator<Buffer> {
  for (let at = start; at < end; ) {
    const index = Math.floor(at / BLOCK);
    const from = at - index * BLOCK;
    const to = Math.min(BLOCK, end - index * BLOCK);
    yield block(index).subarray(from, to);
    at += to - from;
  }
}

/** A generated body of `size` bytes (optionally from `start`), as a stream; nothing is held beyond a block. */
export function patternStream(size: number, start = 0): Readable {
  return Readable.from(patternPieces(start, size), { objectMode: false });
}

export function patternSha256(size: number): string {
  const hash = createHash('sha256');
  for (const piece of patternPieces(0, size)) hash.update(piece);
  return hash.digest('hex');
}

export function patternBytes(size: number): Buffer {
  return Buffer.concat([...patternPieces(0, size)]);
}

/**
 * Serves generated bodies the way a model's CDN would (the download side of a store):
 * - /bytes/SIZE               with Content-Length, honouring `Range: bytes=N-` (206)
 * - /bytes-ignore-range/SIZE  always 200 with the whole body
 * - /bytes-no-length/SIZE     chunked, without Content-Length
 */
export interface GeneratedSource {
  url(kind: 'bytes' | 'bytes-ignore-range' | 'bytes-no-length', size: number): string;
  /** Each request's path and Range header. */
  requests: Array<{ path: string; range: string | null }>;
  close(): Promise<void>;
}

export async function startGeneratedSource(): Promise<GeneratedSource> {
  const requests: GeneratedSource['requests'] = [];
  const server = http.createServer((request, response) => {
    const [, kind, sizeText] = (request.url ?? '').split('/');
    const size = Number(sizeText);
    requests.push({ path: request.url ?? '', range: request.headers.range ?? null });
    if (!Number.isSafeInteger(size) || size < 0) {
      response.writeHead(404);
      return void response.end();
    }
    const range = kind === 'bytes' ? /^bytes=(\d+)-$/.exec(request.headers.range ?? '') : null;
    const start = range ? Number(range[1]) : 0;
    if (range && start >= size) {
      response.writeHead(416, { 'content-range': `bytes */${size}` });
      return void response.end();
    }
    response.writeHead(range ? 206 : 200, {
      'content-type': 'video/mp4',
      ...(kind === 'bytes' ? { 'accept-ranges': 'bytes' } : {}),
      ...(kind === 'bytes-no-length' ? {} : { 'content-length': size - start }),
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    pump(response, patternPieces(start, size));
  });
  const { port, close: closeServer } = await listenForTest(server);
  return {
    url: (kind, size) => `http://127.0.0.1:${port}/${kind}/${size}`,
    requests,
    close: async () => {
      await closeServer();
    },
  };
}

/** Writes pieces while the socket takes them, waiting for 'drain' otherwise (backpressure). */
function pump(response: ServerResponse, pieces: Iterator<Buffer>): void {
  const next = () => {
    for (;;) {
      const piece = pieces.next();
      if (piece.done) return void response.end();
      if (!response.write(piece.value)) return void response.once('drain', next);
    }
  };
  response.on('close', () => pieces.return?.(undefined));
  next();
}
