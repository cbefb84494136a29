import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { listen } from '../../src/http/listen';

/**
 * Listens on an ephemeral 127.0.0.1 port and tracks connections, so `close()` ends at once even while a
 * test's client still holds a keep-alive or stalled socket.
 */
export async function listenForTest(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const { port } = await listen(server);
  return {
    port,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
