import { rm, writeFile } from 'node:fs/promises';
import { header } from './auth';
import { bucketLimit, mimeTypeAllowed, type Exchange, type ServerState } from './context';
import { sendJson, sendStorageError, StorageErrors, type StorageErrorBody } from './errors';
import { signJwt, verifyJwt } from './jwt';
import { discardBody, readJson, writeBody } from './request-body';
import type { ObjectRecord } from './store';

function reject(exchange: Exchange, error: StorageErrorBody): void {
  discardBody(exchange.request);
  sendStorageError(exchange.response, error);
}

/** POST (x-upsert decides) or PUT (always replaces) /object/{bucket}/{path}: a raw or multipart body. */
export async function uploadObject(exchange: Exchange, state: ServerState): Promise<void> {
  const { request } = exchange;
  const [bucketId, name] = exchange.params;
  const upsert = request.method === 'PUT' || header(request, 'x-upsert') === 'true';
  if (exchange.role !== 'service_role') return reject(exchange, StorageErrors.rowLevelSecurity());
  const bucket = state.store.buckets.get(bucketId);
  if (!bucket) return reject(exchange, StorageErrors.noSuchBucket());
  if (state.store.get(bucketId, name) && !upsert) return reject(exchange, StorageErrors.duplicate());

  const limit = Math.min(bucketLimit(state, bucket.file_size_limit), state.limits.standardUploadLimit);
  const declared = header(request, 'content-length');
  if (declared !== undefined && Number(declared) > limit) return reject(exchange, StorageErrors.tooLarge());
  const requestType = header(request, 'content-type') ?? 'application/octet-stream';
  const multipart = requestType.startsWith('multipart/form-data');
  const temp = state.store.tempFile();
  let facts: { contentType: string; cacheControl: string; metadata: Record<string, unknown> | null; size: number };
  if (multipart) {
    const form = await readMultipart(exchange, requestType, limit);
    if (!form) return reject(exchange, StorageErrors.tooLarge());
    if (!form.file) return reject(exchange, StorageErrors.emptyBody());
    await writeFile(temp, form.file.bytes);
    facts = { ...form.fields, contentType: form.file.type, size: form.file.bytes.length };
  } else {
    const outcome = await writeBody(request, temp, { limit, dropAfter: exchange.dropAfter });
    if (outcome.kind !== 'complete') {
      await rm(temp, { force: true });
      if (outcome.kind === 'over-limit') sendStorageError(exchange.response, StorageErrors.tooLarge());
      return;
    }
    facts = {
      contentType: requestType,
      cacheControl: header(request, 'cache-control') ?? 'no-cache',
      metadata: decodeMetadataHeader(header(request, 'x-metadata')),
      size: outcome.bytes,
    };
  }
  if (facts.size === 0) {
    await rm(temp, { force: true });
    return sendStorageError(exchange.response, StorageErrors.emptyBody());
  }
  if (!mimeTypeAllowed(bucket.allowed_mime_types, facts.contentType)) {
    await rm(temp, { force: true });
    return sendStorageError(exchange.response, StorageErrors.invalidMimeType(facts.contentType));
  }
  const record = await state.store.commit(bucketId, name, temp, { ...facts, uploadType: 'standard' }, upsert);
  if (!record) return sendStorageError(exchange.response, StorageErrors.duplicate());
  sendJson(exchange.response, 200, { Id: record.id, Key: `${bucketId}/${name}` });
}

interface ParsedForm {
  fields: { cacheControl: string; metadata: Record<string, unknown> | null };
  file: { bytes: Buffer; type: string } | null;
}

/** Multipart bodies are parsed in memory (bounded by the limit): supabase-js sends them only for Blob/File bodies. */
async function readMultipart(exchange: Exchange, contentType: string, limit: number): Promise<ParsedForm | null> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of exchange.request) {
    bytes += (chunk as Buffer).length;
    // The multipart envelope adds a little; the file itself is checked below.
    if (bytes > limit + 64 * 1024) return null;
    chunks.push(chunk as Buffer);
  }
  const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': contentType } }).formData();
  let part: Blob | null = null;
  form.forEach((value) => {
    if (typeof value !== 'string') part = value;
  });
  const blob = part as Blob | null;
  const file: ParsedForm['file'] = blob ? { bytes: Buffer.from(await blob.arrayBuffer()), type: blob.type } : null;
  if (file && file.bytes.length > limit) return null;
  const cacheControl = form.get('cacheControl');
  const metadata = form.get('metadata');
  return {
    fields: {
      cacheControl: typeof cacheControl === 'string' ? `max-age=${cacheControl}` : 'no-cache',
      metadata: typeof metadata === 'string' ? parseObject(metadata) : null,
    },
    file,
  };
}

/**
 * GET/HEAD /object/{bucket}/{path} and /object/authenticated/…, as Storage serves them: the bucket is looked up
 * past row-level security, a request without a valid JWT reaches public buckets only (any other bucket, or none,
 * is 400 "404" NoSuchBucket), a public bucket's objects are served to anyone, a private bucket's to the service
 * role only (row-level security hides them from anon: NoSuchKey).
 */
export function downloadObject(exchange: Exchange, state: ServerState): void {
  const found = readableObject(exchange, state);
  if ('error' in found) return sendReadError(exchange, found.error);
  serveObject(exchange, state, found.record);
}

function readableObject(
  exchange: Exchange,
  state: ServerState,
): { record: ObjectRecord } | { error: StorageErrorBody } {
  const [bucketId, name] = exchange.params;
  const bucket = state.store.buckets.get(bucketId);
  if (!bucket || (!exchange.authenticated && !bucket.public)) return { error: StorageErrors.noSuchBucket() };
  const record = bucket.public || exchange.role === 'service_role' ? state.store.get(bucketId, name) : undefined;
  return record ? { record } : { error: StorageErrors.noSuchKey() };
}

/** Errors of reads: HEAD answers the status alone (400, no body). */
function sendReadError(exchange: Exchange, error: StorageErrorBody): void {
  if (exchange.request.method !== 'HEAD') return sendStorageError(exchange.response, error);
  exchange.response.writeHead(400);
  exchange.response.end();
}

/** GET/HEAD /object/public/{bucket}/{path}: no key needed, public buckets only. */
export function downloadPublicObject(exchange: Exchange, state: ServerState): void {
  const [bucketId, name] = exchange.params;
  if (!state.store.buckets.get(bucketId)?.public)
    return sendStorageError(exchange.response, StorageErrors.noSuchBucket());
  serveObject(exchange, state, state.store.get(bucketId, name));
}

/** GET /object/sign/{bucket}/{path}?token=…: the token is the only credential. */
export function downloadSignedObject(exchange: Exchange, state: ServerState): void {
  const [bucketId, name] = exchange.params;
  const token = exchange.url.searchParams.get('token');
  if (!token)
    return sendStorageError(
      exchange.response,
      StorageErrors.invalidRequest("querystring must have required property 'token'"),
    );
  const checked = verifyJwt(token, state.keys.jwtSecret);
  if (!checked.ok) return sendStorageError(exchange.response, StorageErrors.invalidJwt(checked.reason));
  if (checked.payload.url !== `${bucketId}/${name}`) {
    return sendStorageError(exchange.response, StorageErrors.invalidSignature());
  }
  serveObject(exchange, state, state.store.get(bucketId, name));
}

function serveObject(exchange: Exchange, state: ServerState, record: ObjectRecord | undefined): void {
  const { request, response } = exchange;
  const isHead = request.method === 'HEAD';
  if (!record) return sendReadError(exchange, StorageErrors.noSuchKey());
  const range = /^bytes=(\d+)-(\d*)$/.exec(header(request, 'range') ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range && range[2] ? Math.min(Number(range[2]), record.size - 1) : record.size - 1;
  if (range && start >= record.size) {
    response.writeHead(416, { 'content-range': `bytes */${record.size}` });
    return void response.end();
  }
  response.writeHead(range ? 206 : 200, {
    'content-type': record.contentType,
    'content-length': end - start + 1,
    'cache-control': record.cacheControl,
    etag: record.etag,
    'last-modified': new Date(record.updatedAt).toUTCString(),
    'accept-ranges': 'bytes',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${record.size}` } : {}),
  });
  if (isHead) return void response.end();
  state.store.read(record, { start, end }).pipe(response);
}

/** GET /object/info/{bucket}/{path}: found as GET finds it (a missing bucket is NoSuchBucket, not NoSuchKey). */
export function objectInfo(exchange: Exchange, state: ServerState): void {
  const found = readableObject(exchange, state);
  if ('error' in found) return sendStorageError(exchange.response, found.error);
  const { record } = found;
  sendJson(exchange.response, 200, {
    id: record.id,
    name: record.name,
    version: record.version,
    bucket_id: record.bucket,
    size: record.size,
    content_type: record.contentType,
    cache_control: record.cacheControl,
    etag: record.etag,
    metadata: record.metadata,
    last_modified: record.updatedAt,
    created_at: record.createdAt,
  });
}

/** POST /object/sign/{bucket}/{path} {expiresIn}: a relative signed URL; the object must exist. */
export async function signObject(exchange: Exchange, state: ServerState): Promise<void> {
  const [bucketId, name] = exchange.params;
  const body = await readJson(exchange.request);
  const expiresIn = body?.expiresIn;
  if (!Number.isInteger(expiresIn) || (expiresIn as number) < 1) {
    return sendStorageError(exchange.response, StorageErrors.invalidRequest('body/expiresIn must be >= 1'));
  }
  const record = exchange.role === 'service_role' ? state.store.get(bucketId, name) : undefined;
  if (!record) return sendStorageError(exchange.response, StorageErrors.noSuchKey());
  sendJson(exchange.response, 200, { signedURL: signedPath(state, bucketId, name, expiresIn as number) });
}

/** POST /object/sign/{bucket} {expiresIn, paths}: one entry per path, with an error for missing ones. */
export async function signObjects(exchange: Exchange, state: ServerState): Promise<void> {
  const [bucketId] = exchange.params;
  const body = await readJson(exchange.request);
  const { expiresIn, paths } = body ?? {};
  if (!Number.isInteger(expiresIn) || (expiresIn as number) < 1 || !Array.isArray(paths)) {
    return sendStorageError(exchange.response, StorageErrors.invalidRequest('body must have expiresIn and paths'));
  }
  sendJson(
    exchange.response,
    200,
    paths.map((path) => {
      const found = exchange.role === 'service_role' && state.store.get(bucketId, String(path));
      return found
        ? { error: null, path, signedURL: signedPath(state, bucketId, String(path), expiresIn as number) }
        : { error: 'Either the object does not exist or you do not have access to it', path, signedURL: null };
    }),
  );
}

function signedPath(state: ServerState, bucketId: string, name: string, expiresIn: number): string {
  const iat = Math.floor(Date.now() / 1000);
  const token = signJwt({ url: `${bucketId}/${name}`, iat, exp: iat + expiresIn }, state.keys.jwtSecret);
  return `/object/sign/${bucketId}/${name}?token=${token}`;
}

/** POST /object/list/{bucket} {prefix, limit, offset, sortBy, search}: files and folders one level below prefix. */
export async function listObjects(exchange: Exchange, state: ServerState): Promise<void> {
  const [bucketId] = exchange.params;
  const body = (await readJson(exchange.request)) ?? {};
  if (!state.store.buckets.has(bucketId)) return sendStorageError(exchange.response, StorageErrors.noSuchBucket());
  const prefix = typeof body.prefix === 'string' && body.prefix ? `${body.prefix.replace(/\/+$/, '')}/` : '';
  const search = typeof body.search === 'string' ? body.search : '';
  const limit = Number.isInteger(body.limit) ? (body.limit as number) : 100;
  const offset = Number.isInteger(body.offset) ? (body.offset as number) : 0;
  const records = exchange.role === 'service_role' ? state.store.inBucket(bucketId, prefix) : [];
  const entries = new Map<string, Record<string, unknown>>();
  for (const record of records) {
    const rest = record.name.slice(prefix.length);
    const folder = rest.includes('/') ? rest.slice(0, rest.indexOf('/')) : null;
    const entryName = folder ?? rest;
    if (!entryName.startsWith(search) || entries.has(entryName)) continue;
    entries.set(entryName, folder === null ? fileObject(record, entryName) : folderObject(entryName));
  }
  const order = (body.sortBy as { order?: string } | undefined)?.order === 'desc' ? -1 : 1;
  const sorted = [...entries.values()].sort((a, b) => order * String(a.name).localeCompare(String(b.name)));
  sendJson(exchange.response, 200, sorted.slice(offset, offset + limit));
}

/** DELETE /object/{bucket} {prefixes}: the deleted rows (missing paths are left out). */
export async function removeObjects(exchange: Exchange, state: ServerState): Promise<void> {
  const [bucketId] = exchange.params;
  const body = await readJson(exchange.request);
  const prefixes = body?.prefixes;
  if (!Array.isArray(prefixes) || prefixes.length === 0) {
    return sendStorageError(
      exchange.response,
      StorageErrors.invalidRequest('body/prefixes must NOT have fewer than 1 items'),
    );
  }
  if (exchange.role !== 'service_role') return sendJson(exchange.response, 200, []);
  const removed = await state.store.remove(bucketId, prefixes.map(String));
  sendJson(
    exchange.response,
    200,
    removed.map((record) => ({
      ...fileObject(record, record.name),
      bucket_id: record.bucket,
      version: record.version,
    })),
  );
}

function fileObject(record: ObjectRecord, name: string): Record<string, unknown> {
  return {
    name,
    id: record.id,
    updated_at: record.updatedAt,
    created_at: record.createdAt,
    last_accessed_at: record.updatedAt,
    metadata: {
      eTag: record.etag,
      size: record.size,
      mimetype: record.contentType,
      cacheControl: record.cacheControl,
      lastModified: record.updatedAt,
      contentLength: record.size,
      httpStatusCode: 200,
    },
    user_metadata: record.metadata,
  };
}

function folderObject(name: string): Record<string, unknown> {
  return { name, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null };
}

function decodeMetadataHeader(value: string | undefined): Record<string, unknown> | null {
  return value ? parseObject(Buffer.from(value, 'base64').toString('utf8')) : null;
}

function parseObject(json: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
