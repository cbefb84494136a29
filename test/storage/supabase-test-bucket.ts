/**
 * A Supabase Storage for the storage tests to write into: the local stand-in, or a real one (a hosted project or a
 * self-hosted Storage API server) when SUPABASE_TEST_URL and SUPABASE_TEST_SERVICE_ROLE_KEY name it. Either way the
 * tests get a bucket of their own, made through Storage's API and removed through it afterwards with everything in
 * it, so a real project keeps nothing of a run and the stand-in runs exercise that same code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SupabaseClient } from '@supabase/supabase-js';
import { openSupabaseClient, reportOf } from '../../src/storage/supabase-client';
import { createSupabaseStorage, type SupabaseStorageOptions } from '../../src/storage/supabase';
import type { StorageClient } from '../../src/storage/types';

type StorageApi = SupabaseClient['storage'];

/** Where Storage answers (`${url}/storage/v1`) and a key that may create and delete buckets. */
export interface SupabaseProject {
  url: string;
  serviceRoleKey: string;
  /** Per HTTP request (a 6 MB chunk included). */
  requestTimeoutMs: number;
}

export const NEEDS_REAL_SUPABASE =
  'skipped: needs a real Supabase Storage, set SUPABASE_TEST_URL and SUPABASE_TEST_SERVICE_ROLE_KEY (docs/testing.md)';

/** Names start with this, so the buckets of a run that was killed before cleaning up are easy to find. */
export const TEST_BUCKET_PREFIX = 'clipgen-test-';

/** The real Supabase Storage the environment names, or null; one variable without the other is a mistake. */
export function realSupabaseFromEnv(env: NodeJS.ProcessEnv = process.env): SupabaseProject | null {
  const url = env.SUPABASE_TEST_URL?.trim() || undefined;
  const serviceRoleKey = env.SUPABASE_TEST_SERVICE_ROLE_KEY?.trim() || undefined;
  if (!url && !serviceRoleKey) return null;
  if (!url || !serviceRoleKey) {
    const missing = url ? 'SUPABASE_TEST_SERVICE_ROLE_KEY' : 'SUPABASE_TEST_URL';
    throw new Error(`${missing} is not set: the real Supabase Storage tests need both variables (docs/testing.md)`);
  }
  if (!/^https?:\/\/[^/]/.test(url) || /\/storage\/v1\/?$/.test(url)) {
    throw new Error(
      `SUPABASE_TEST_URL must be the project URL (https://<ref>.supabase.co, or the API gateway of a self-hosted one), without /storage/v1`,
    );
  }
  return { url: url.replace(/\/+$/, ''), serviceRoleKey, requestTimeoutMs: 60_000 };
}

/**
 * A describe block against the real Supabase Storage; without one configured it is reported as skipped, with the
 * reason in its name (and said once on the console), so a run shows what it left out and how to include it.
 */
export function describeRealSupabase(name: string, body: (project: SupabaseProject) => void): void {
  const project = realSupabaseFromEnv();
  if (!project) console.info(`${name}: ${NEEDS_REAL_SUPABASE}`);
  const describeOrSkip = project ? describe : describe.skip;
  describeOrSkip(project ? name : `${name} (${NEEDS_REAL_SUPABASE})`, () =>
    body(project ?? { url: '', serviceRoleKey: '', requestTimeoutMs: 0 }),
  );
}

export interface TestBucket {
  /** The bucket's name: `clipgen-test-<time>-<random>`. */
  name: string;
  /** supabase-js on the bucket, with the service role key. */
  files: ReturnType<StorageApi['from']>;
  /** Every object in the bucket, as paths, in order. */
  objects(): Promise<string[]>;
  /** Removes the bucket's objects, then the bucket; a bucket already gone is fine. */
  remove(): Promise<void>;
}

/** Creates a private bucket of its own on `project`, accepting video/mp4 only (as STORAGE_CREATE_BUCKET would). */
export async function createTestBucket(project: SupabaseProject): Promise<TestBucket> {
  const admin = openSupabaseClient(project).storage;
  const name = uniqueBucketName();
  const { error } = await admin.createBucket(name, { public: false, allowedMimeTypes: ['video/mp4'] });
  if (error) throw new Error(`Could not create test bucket "${name}" on ${project.url}: ${error.message}`);
  const files = admin.from(name);
  return {
    name,
    files,
    objects: () => listObjects(files),
    remove: () => removeBucket(admin, files, name, project.url),
  };
}

/** `clipgen-test-<UTC yyyymmddhhmmss>-<8 hex>`: when it was made, and unique across concurrent runs. */
function uniqueBucketName(): string {
  const time = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return `${TEST_BUCKET_PREFIX}${time}-${randomBytes(4).toString('hex')}`;
}

const LIST_PAGE = 1000;
/** What Storage removes in one request at most. */
const REMOVE_BATCH = 1000;

/** Every object under `prefix`, walking into folders (Storage lists one level at a time; folders have no id). */
async function listObjects(files: TestBucket['files'], prefix = ''): Promise<string[]> {
  const paths: string[] = [];
  for (let offset = 0; ; offset += LIST_PAGE) {
    const { data, error } = await files.list(prefix, { limit: LIST_PAGE, offset });
    if (error) throw new Error(`Could not list "${prefix}": ${error.message}`);
    for (const entry of data) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.id === null) paths.push(...(await listObjects(files, path)));
      else paths.push(path);
    }
    if (data.length < LIST_PAGE) return paths.sort();
  }
}

/**
 * Empties the bucket object by object (emptyBucket may finish in the background on newer servers) and deletes it.
 * "409" not empty means something landed meanwhile: empty again, a few times. Whatever stops it is reported with the
 * bucket's name, so it can be deleted by hand.
 */
async function removeBucket(admin: StorageApi, files: TestBucket['files'], name: string, url: string) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const paths = await listObjects(files);
      for (let at = 0; at < paths.length; at += REMOVE_BATCH) {
        const { error } = await files.remove(paths.slice(at, at + REMOVE_BATCH));
        if (error) throw new Error(error.message);
      }
      const { error } = await admin.deleteBucket(name);
      if (!error) return;
      const report = reportOf(error);
      if (report?.code === '404') return;
      if (report?.code !== '409' || attempt >= 5) throw new Error(error.message);
    } catch (error) {
      if (/bucket not found/i.test((error as Error).message)) return;
      if (attempt >= 5) {
        throw new Error(
          `Could not delete test bucket "${name}" on ${url}: ${(error as Error).message}; delete it by hand`,
        );
      }
    }
    await sleep(200 * attempt);
  }
}

/** What the contract suite needs of a backend (test/storage/backends.ts). */
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

/**
 * clipgen's Supabase backend on a fresh test bucket of `project`. `close` removes the bucket and everything in it,
 * then runs `afterClose` (stopping a stand-in), whether or not the removal worked.
 */
export async function openTestBucketStorage(
  project: SupabaseProject,
  options: { storage?: Partial<SupabaseStorageOptions>; afterClose?: () => Promise<void> } = {},
): Promise<OpenedStorage & { bucket: TestBucket }> {
  let bucket: TestBucket;
  try {
    bucket = await createTestBucket(project);
  } catch (error) {
    await options.afterClose?.();
    throw error;
  }
  return {
    bucket,
    storage: createSupabaseStorage({
      url: project.url,
      serviceRoleKey: project.serviceRoleKey,
      bucket: bucket.name,
      requestTimeoutMs: project.requestTimeoutMs,
      ...options.storage,
    }),
    contents: async (path) => {
      const { data, error } = await bucket.files.download(path);
      if (error) {
        if (reportOf(error)?.code === '404') return null;
        throw new Error(`Could not download ${bucket.name}/${path}: ${error.message}`);
      }
      return Buffer.from(await data.arrayBuffer());
    },
    leftovers: () => bucket.objects(),
    digestOfUrl: async (url) => {
      const response = await fetch(url);
      if (!response.ok || !response.body) throw new Error(`GET ${url.split('?')[0]}: HTTP ${response.status}`);
      return digestOf(Readable.fromWeb(response.body as ReadableStream<Uint8Array>));
    },
    close: async () => {
      try {
        await bucket.remove();
      } finally {
        await options.afterClose?.();
      }
    },
  };
}

/** Size and sha256 of a stream, without holding it. */
export async function digestOf(stream: Readable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
