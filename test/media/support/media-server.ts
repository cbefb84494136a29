import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { listenForTest } from '../../helpers/local-server';
import { paddedMp4, type PaddedMp4 } from './padded-mp4';

/**
 * A local HTTP server for model outputs, with the faults a CDN can produce. Routes:
 * - /files/NAME               the file, with Range support (206)
 * - /ignore-range/NAME        the file, always 200 in full
 * - /no-length/NAME           the file, chunked (no Content-Length)
 * - /status/CODE              that status, with `Retry-After: 7` on 429/503
 * - /redirect/N/NAME          N redirects, then /files/NAME
 * - /truncated/NAME           announces the full length, sends half, closes the connection
 * - /stall/NAME               announces the full length, sends 1 KiB, then nothing
 * - /silent                   accepts the request and never answers
 * - /drip/BYTES               BYTES zero bytes, one every 50 ms
 * - /garbage                  64 KiB of random bytes labelled video/mp4
 * - /zeros/BYTES              BYTES zero bytes with Content-Length, honouring backpressure
 * - /padded/NAME/BYTES        the MP4 followed by a `free` box up to BYTES in all (a valid MP4 of any size), Range
 * - /padded-ignore-range/NAME/BYTES   the same, always 200 in full
 * - /first-read/NAME          the file to the first request of this URL, an HTML page (200, video/mp4) afterwards
 * - /flaky/NAME               the first request of this URL is cut off half-way; later ones get the file (Range)
 * - /hls/index.m3u8           an HLS playlist whose one segment, /hls/segment.ts, is a real H.264 MPEG-TS
 * - /hls/segment.ts           that segment (from hls-segment.ts in the media folder)
 * - /redirect-to?to=URL       302 to URL
 * - /ua-redirect/NAME?to=URL  302 to URL when the User-Agent is FFmpeg's (Lavf/…), else the file
 */
export interface MediaServer {
  /** `http://localhost:PORT{path}`: a host name, as real output URLs have. */
  url(path: string): string;
  /** `http://127.0.0.1:PORT{path}`. */
  ipUrl(path: string): string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Every answered request: path, Range header, User-Agent, and the body bytes written. */
  served: ServedRequest[];
  close(): Promise<void>;
}

export interface ServedRequest {
  path: string;
  range: string | null;
  userAgent: string | null;
  bytes: number;
}

export async function startMediaServer(mediaDir: string): Promise<MediaServer> {
  const requests: string[] = [];
  const served: ServedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state: RouteState = { mediaDir, timers, seen: new Map(), padded: new Map() };
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const record: ServedRequest = {
      path: request.url ?? '',
      range: request.headers.range ?? null,
      userAgent: request.headers['user-agent'] ?? null,
      bytes: 0,
    };
    served.push(record);
    countBodyBytes(response, record);
    const key = request.url ?? '';
    state.seen.set(key, (state.seen.get(key) ?? 0) + 1);
    route(request, response, state);
  });
  const { port, close: closeServer } = await listenForTest(server);
  return {
    url: (path) => `http://localhost:${port}${path}`,
    ipUrl: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    served,
    close: async () => {
      timers.forEach(clearInterval);
      await closeServer();
    },
  };
}

interface RouteState {
  mediaDir: string;
  timers: Set<NodeJS.Timeout>;
  /** Requests so far per path and query (the current one included). */
  seen: Map<string, number>;
  padded: Map<string, PaddedMp4>;
}

const HTML_PAGE = Buffer.from('<!doctype html><html><body><h1>503 Service Unavailable</h1></body></html>\n');

/** Counts the body bytes handed to the socket. */
function countBodyBytes(response: ServerResponse, record: ServedRequest): void {
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  const count = (chunk: unknown) => {
    if (typeof chunk === 'string') record.bytes += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) record.bytes += chunk.length;
  };
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    count(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') count(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

function route(request: IncomingMessage, response: ServerResponse, state: RouteState) {
  const { mediaDir, timers } = state;
  const url = new URL(request.url ?? '/', 'http://localhost');
  const [, kind, first, second] = url.pathname.split('/');
  const file = (name: string) => join(mediaDir, decodeURIComponent(name));
  const timesSeen = state.seen.get(request.url ?? '') ?? 1;
  switch (kind) {
    case 'files':
      return serveFile(request, response, file(first), { ranges: true, length: true });
    case 'ignore-range':
      return serveFile(request, response, file(first), { ranges: false, length: true });
    case 'no-length':
      return serveFile(request, response, file(first), { ranges: false, length: false });
    case 'status': {
      const status = Number(first);
      response.writeHead(status, status === 429 || status === 503 ? { 'retry-after': '7' } : {});
      return response.end(`status ${status}`);
    }
    case 'redirect': {
      const remaining = Number(first);
      response.writeHead(302, {
        location: remaining > 1 ? `/redirect/${remaining - 1}/${second}` : `/files/${second}`,
      });
      return response.end();
    }
    case 'truncated': {
      const size = statSync(file(first)).size;
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size });
      const half = createReadStream(file(first), { end: Math.floor(size / 2) - 1 });
      half.on('data', (chunk) => response.write(chunk));
      return half.on('end', () => response.socket?.end());
    }
    case 'stall': {
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': statSync(file(first)).size });
      return createReadStream(file(first), { end: 1023 }).on('data', (chunk) => response.write(chunk));
    }
    case 'silent':
      return;
    case 'drip': {
      let left = Number(first);
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': left });
      const timer = setInterval(() => {
        response.write(Buffer.alloc(1));
        left -= 1;
        if (left === 0) {
          clearInterval(timer);
          response.end();
        }
      }, 50);
      timers.add(timer);
      return response.on('close', () => clearInterval(timer));
    }
    case 'garbage':
      response.writeHead(200, { 'content-type': 'video/mp4' });
      return response.end(randomBytes(64 * 1024));
    case 'zeros':
      return serveZeros(response, Number(first));
    case 'padded':
    case 'padded-ignore-range': {
      const key = `${first}/${second}`;
      let padded = state.padded.get(key);
      if (!padded) {
        padded = paddedMp4(readFileSync(file(first)), Number(second));
        state.padded.set(key, padded);
      }
      return servePadded(request, response, padded, kind === 'padded');
    }
    case 'first-read':
      if (timesSeen === 1) return serveFile(request, response, file(first), { ranges: false, length: true });
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': HTML_PAGE.length });
      return response.end(HTML_PAGE);
    case 'flaky': {
      if (timesSeen > 1) return serveFile(request, response, file(first), { ranges: true, length: true });
      const size = statSync(file(first)).size;
      response.writeHead(200, { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': size });
      response.write(readFileSync(file(first)).subarray(0, Math.floor(size / 2)));
      // Let the bytes reach the client before the connection drops.
      const timer = setTimeout(() => response.destroy(), 50);
      timers.add(timer);
      return;
    }
    case 'hls':
      if (first === 'index.m3u8') {
        const base = `http://${request.headers.host}`;
        const playlist = [
          '#EXTM3U',
          '#EXT-X-VERSION:3',
          '#EXT-X-TARGETDURATION:7',
          '#EXT-X-MEDIA-SEQUENCE:0',
          '#EXTINF:6.125,',
          `${base}/hls/segment.ts`,
          '#EXT-X-ENDLIST',
          '',
        ].join('\n');
        response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
        return response.end(playlist);
      }
      return serveFile(request, response, file('hls-segment.ts'), { ranges: true, length: true });
    case 'redirect-to':
      response.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return response.end();
    case 'ua-redirect':
      if (/^Lavf\//.test(request.headers['user-agent'] ?? '')) {
        response.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
        return response.end();
      }
      return serveFile(request, response, file(first), { ranges: true, length: true });
    default:
      response.writeHead(404);
      return response.end();
  }
}

function serveFile(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  { ranges, length }: { ranges: boolean; length: boolean },
) {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    response.writeHead(404);
    return response.end();
  }
  const range = ranges ? /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '') : null;
  const start = range ? Number(range[1]) : 0;
  const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  if (range && start >= size) {
    response.writeHead(416, { 'content-range': `bytes */${size}` });
    return response.end();
  }
  response.writeHead(range ? 206 : 200, {
    'content-type': 'video/mp4',
    ...(ranges ? { 'accept-ranges': 'bytes' } : {}),
    ...(length ? { 'content-length': end - start + 1 } : {}),
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (request.method === 'HEAD') return response.end();
  createReadStream(path, { start, end }).pipe(response);
}

function servePadded(request: IncomingMessage, response: ServerResponse, padded: PaddedMp4, ranges: boolean) {
  const range = ranges ? /^bytes=(\d+)-$/.exec(request.headers.range ?? '') : null;
  const start = range ? Number(range[1]) : 0;
  if (range && start >= padded.size) {
    response.writeHead(416, { 'content-range': `bytes */${padded.size}` });
    return response.end();
  }
  response.writeHead(range ? 206 : 200, {
    'content-type': 'video/mp4',
    ...(ranges ? { 'accept-ranges': 'bytes' } : {}),
    'content-length': padded.size - start,
    ...(range ? { 'content-range': `bytes ${start}-${padded.size - 1}/${padded.size}` } : {}),
  });
  const pieces = padded.pieces(start);
  const pump = () => {
    for (;;) {
      const piece = pieces.next();
      if (piece.done) return void response.end();
      if (!response.write(piece.value)) return void response.once('drain', pump);
    }
  };
  response.on('close', () => pieces.return?.(undefined));
  pump();
}

function serveZeros(response: ServerResponse, total: number) {
  const chunk = Buffer.alloc(64 * 1024);
  let left = total;
  response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': total });
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!response.write(piece)) return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
}
