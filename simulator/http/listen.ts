import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The simulator's own listener helpers. clipgen has the same two in src/http/listen.ts; they are kept apart on
 * purpose (a few lines each, and the simulator's server may need to listen differently from clipgen's webhook
 * receiver), so the simulator borrows from the product only what must stay one: the bundled ffmpeg/ffprobe and the
 * pinned model refs (docs/simulator.md, Boundary).
 */

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

/** Resolves on the first SIGINT or SIGTERM: how `clipgen simulator` waits to be stopped. */
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
