import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { listenForTest } from '../../helpers/local-server';

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
 */
export interface MediaServer {
  url(path: string): string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startMediaServer(mediaDir: string): Promise<MediaServer> {
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    route(request, response, mediaDir, timers);
  });
  const { port, close: closeServer } = await listenForTest(server);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    close: async () => {
      timers.forEach(clearInterval);
      await closeServer();
    },
  };
}

function route(request: IncomingMessage, response: ServerResponse, mediaDir: string, timers: Set<NodeJS.Timeout>) {
  const [, kind, first, second] = new URL(request.url ?? '/', 'http://localhost').pathname.split('/');
  const file = (name: string) => join(mediaDir, decodeURIComponent(name));
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
