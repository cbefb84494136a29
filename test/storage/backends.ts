/**
 * The storage backends the shared contract suite runs over: a local folder; Supabase Storage through the real
 * supabase-js against the local Storage stand-in (test/stand-ins/supabase-storage); and, when SUPABASE_TEST_URL and
 * SUPABASE_TEST_SERVICE_ROLE_KEY name one, a real Supabase Storage. Both Supabase backends work in a test bucket of
 * their own, created and removed through Storage's API (supabase-test-bucket.ts), so the stand-in runs exercise
 * the very code a real run relies on to leave nothing behind.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalStorage } from '../../src/storage/local';
import { startStorageServer } from '../stand-ins/supabase-storage/server';
import { digestOf, openTestBucketStorage, type OpenedStorage, type SupabaseProject } from './supabase-test-bucket';

export type { OpenedStorage } from './supabase-test-bucket';

const MB = 1024 * 1024;

export interface StorageBackend {
  name: string;
  open(): Promise<OpenedStorage>;
  /** Size of the contract's largest clip: 200 MB, unless a real project's upload limit is smaller. */
  largeClipBytes: number;
  /** Per case, when Jest's default is too short: a real project is reached over the internet. */
  caseTimeoutMs?: number;
}

export const storageBackends: StorageBackend[] = [
  { name: 'local', open: openLocalStorage, largeClipBytes: 200 * MB },
  { name: 'supabase stand-in', open: openStandInStorage, largeClipBytes: 200 * MB },
];

/**
 * A real Supabase Storage as a contract backend. Its largest clip is SUPABASE_TEST_LARGE_CLIP_MB (default 200): a
 * Free-plan project refuses objects over 50 MB, the Supabase CLI's local stack too unless configured otherwise.
 */
export function realSupabaseBackend(project: SupabaseProject, env = process.env): StorageBackend {
  const largeClipMb = Number(env.SUPABASE_TEST_LARGE_CLIP_MB ?? 200);
  if (!Number.isFinite(largeClipMb) || largeClipMb <= 0) {
    throw new Error(
      `SUPABASE_TEST_LARGE_CLIP_MB must be a positive number of megabytes, not "${env.SUPABASE_TEST_LARGE_CLIP_MB}"`,
    );
  }
  return {
    name: 'real supabase',
    open: () => openTestBucketStorage(project),
    largeClipBytes: Math.round(largeClipMb * MB),
    caseTimeoutMs: 10 * 60_000,
  };
}

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

/** A fresh stand-in (global limit 2 GiB) with a test bucket; closing removes the bucket, then stops the server. */
export async function openStandInStorage(): Promise<OpenedStorage> {
  const server = await startStorageServer({ fileSizeLimit: 2 * 1024 ** 3 });
  return openTestBucketStorage(
    { url: server.url, serviceRoleKey: server.keys.serviceRoleKey, requestTimeoutMs: 10_000 },
    { afterClose: () => server.close() },
  );
}
