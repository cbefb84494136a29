/**
 * PGlite on a worker thread. Its WASM executes statements synchronously, so on the main thread a slow
 * query would stall the Temporal worker's event loop (heartbeats, polling); on its own thread it cannot.
 * The thread also keeps PGlite's Emscripten glue, which calls dynamic import(), out of module sandboxes
 * such as Jest's.
 */
import { Worker } from 'node:worker_threads';
import { DatabaseFailure, toDatabaseFailure } from './errors';
import { PGLITE_WORKER_SOURCE } from './pglite-worker-source';

type Request = { op: 'query'; text: string; params: unknown[] } | { op: 'exec'; text: string } | { op: 'close' };

interface Reply {
  id?: number;
  ready?: boolean;
  rows?: unknown[];
  error?: { message: string; code?: string; severity?: string };
}

export interface PgliteThread {
  request<Row>(request: Request): Promise<Row[]>;
  /** Closes PGlite (flushing a data dir) and ends the thread. */
  close(): Promise<void>;
}

export async function startPgliteThread(dataDir: string | undefined): Promise<PgliteThread> {
  const worker = new Worker(PGLITE_WORKER_SOURCE, {
    eval: true,
    workerData: { pglitePath: require.resolve('@electric-sql/pglite'), dataDir },
  });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stopped: Error | null = null;

  const stop = (error: Error) => {
    stopped ??= error;
    for (const { reject } of pending.values()) reject(stopped);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (reply: Reply) => {
      if (reply.ready) return resolve();
      reject(toDatabaseFailure(reply.error, []));
      void worker.terminate();
    });
    worker.once('error', (error) => reject(toDatabaseFailure(error, [])));
  });

  worker.on('message', (reply: Reply) => {
    const waiting = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiting || reply.id === undefined) return;
    pending.delete(reply.id);
    if (reply.error) waiting.reject(toDatabaseFailure(reply.error, []));
    else waiting.resolve(reply.rows ?? []);
  });
  worker.on('error', (error) => stop(toDatabaseFailure(error, [])));
  worker.on('exit', (code) => stop(new DatabaseFailure(`the PGlite thread exited (code ${code})`, null)));

  const request = <Row>(message: Request): Promise<Row[]> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<Row[]>((resolve, reject) => {
      pending.set(id, { resolve: (rows) => resolve(rows as Row[]), reject });
      worker.postMessage({ id, ...message });
    });
  };

  return {
    request,
    async close() {
      if (stopped) return;
      try {
        await request({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
}
