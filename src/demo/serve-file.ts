import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listen } from '../http/listen';

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/** Serves one local file over http on 127.0.0.1, so a local first frame can be handed to the simulator. */
export async function serveFile(filePath: string): Promise<{ url: string; close(): Promise<void> }> {
  const absolute = path.resolve(filePath);
  const stat = await fs.promises.stat(absolute);
  if (!stat.isFile()) throw new Error(`--image ${filePath} is not a file`);
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
