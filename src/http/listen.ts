import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Starts `server` on host:port (port 0 = ephemeral) and returns its base URL and port. */
export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${shownHost}:${address.port}`, port: address.port };
}

/** Resolves on the first SIGINT or SIGTERM: how the long-running commands wait to be stopped. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/** Serves one local file over http on 127.0.0.1: how the demo hands a local first frame to the simulator. */
export async function serveFile(filePath: string): Promise<{ url: string; close(): Promise<void> }> {
  const absolute = path.resolve(filePath);
  const stat = await fs.promises.stat(absolute);
  if (!stat.isFile()) throw new Error(`${filePath} is not a file`);
  const name = encodeURIComponent(path.basename(absolute));
  const server = http.createServer((req, res) => {
    if (req.url !== `/${name}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(absolute).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
    });
    fs.createReadStream(absolute).pipe(res);
  });
  const { url } = await listen(server);
  return {
    url: `${url}/${name}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
