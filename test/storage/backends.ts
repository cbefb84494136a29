/**
 * The storage backends the shared contract suite runs over: a local folder, and Supabase Storage through the real
 * supabase-js against the local Storage server (test/supabase-storage).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLocalStorage } from '../../src/storage/local';
import { createSupabaseStorage, type SupabaseStorageOptions } from '../../src/storage/supabase';
import type { StorageClient } from '../../src/storage/types';
import { startStorageServer, type StorageServer, type StorageServerOptions } from '../supabase-storage/server';

export interface OpenedStorage {
  storage: StorageClient;
  /** The bytes the backend holds at `path`, or null. */
  contents(path: string): Promise<Buffer | null>;
  /** Everything under the bucket, as paths: objects, and any temporary or partial files left behind. */
  leftovers(): Promise<string[]>;
  /** Size and sha256 of what a returned URL serves, streamed (the next pipeline stage's view). */
  digestOfUrl(url: string): Promise<{ bytes: number; sha256: string }>;
  close(): Promise<void>;
}

export interface StorageBackend {
  name: 'local' | 'supabase';
  open(): Promise<OpenedStorage>;
}

export const storageBackends: StorageBackend[] = [
  { name: 'local', open: openLocalStorage },
  { name: 'supabase', open: () => openSupabaseStorage().then(({ opened }) => opened) },
];

export async function openLocalStorage(): Promise<OpenedStorage> {
  const root = await mkdtemp(join(tmpdir(), 'clipgen-contract-local-'));
  const bucketDir = join(root, 'video-clips');
  const uploadsDir = join(root, '.uploads', 'video-clips');
  const filesUnder = async (dir: string) => {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
  };
  return {
    storage: createLocalStorage({ rootDir: root }),
    contents: (path) => readFile(join(bucketDir, path)).catch(() => null),
    // Objects, and the temporary files of puts (kept beside the bucket, in .uploads).
    leftovers: async () => [
      ...(await filesUnder(bucketDir)),
      ...(await filesUnder(uploadsDir)).map((name) => `.uploads/${name}`),
    ],
    digestOfUrl: (url) => digestOf(createReadStream(fileURLToPath(url))),
    close: () => rm(root, { recursive: true, force: true }),
  };
}

export async function openSupabaseStorage(
  serverOptions: StorageServerOptions = {},
  storageOptions: Partial<SupabaseStorageOptions> = {},
): Promise<{ opened: OpenedStorage; server: StorageServer }> {
  const server = await startStorageServer({
    buckets: [{ id: 'video-clips' }],
    fileSizeLimit: 2 * 1024 ** 3,
    ...serverOptions,
  });
  const storage = createSupabaseStorage({
    url: server.url,
    serviceRoleKey: server.keys.serviceRoleKey,
    requestTimeoutMs: 10_000,
    ...storageOptions,
  });
  const opened: OpenedStorage = {
    storage,
    contents: (path) => server.readObject('video-clips', path).catch(() => null),
    leftovers: async () => {
      const listed = await fetch(`${server.url}/storage/v1/object/list/video-clips`, {
        method: 'POST',
        headers: { apikey: server.keys.serviceRoleKey, authorization: `Bearer ${server.keys.serviceRoleKey}` },
        body: JSON.stringify({ prefix: 'job-1' }),
      });
      const files = (await listed.json()) as Array<{ name: string }>;
      return files.map((file) => `job-1/${file.name}`);
    },
    digestOfUrl: async (url) => {
      const response = await fetch(url);
      if (!response.ok || !response.body) throw new Error(`GET ${url.split('?')[0]}: HTTP ${response.status}`);
      return digestOf(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>));
    },
    close: () => server.close(),
  };
  return { opened, server };
}

async function digestOf(stream: Readable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
