import { rm } from 'node:fs/promises';
import { header } from './auth';
import { bucketLimit, mimeTypeAllowed, type Exchange, type ServerState } from './context';
import { sendTusError } from './errors';
import { discardBody, writeBody } from './request-body';
import type { TusUpload } from './tus-uploads';

/** @tus/server's words (packages/utils/src/constants.ts), which Supabase passes through. */
const TUS_ERRORS = {
  missingOffset: [403, 'Upload-Offset header required\n'],
  invalidContentType: [403, 'Content-Type header required\n'],
  notFound: [404, 'The file for this url was not found\n'],
  offsetConflict: [409, 'Upload-Offset conflict\n'],
  gone: [410, 'The file for this url no longer exists\n'],
  sizeExceeded: [413, "upload's size exceeded\n"],
  maxSizeExceeded: [413, 'Maximum size exceeded\n'],
  invalidLength: [400, 'Upload-Length or Upload-Defer-Length header required\n'],
  invalidMetadata: [400, 'Upload-Metadata is invalid. It MUST consist of one or more comma-separated key-value pairs'],
  completedTermination: [400, 'Cannot terminate an already completed upload'],
  unsupportedVersion: [412, 'Unsupported TUS version\n'],
} as const satisfies Record<string, readonly [number, string]>;

const TUS_HEADERS = { 'tus-resumable': '1.0.0' };

function fail(exchange: Exchange, [status, text]: readonly [number, string]): void {
  discardBody(exchange.request);
  sendTusError(exchange.response, status, text);
}

/** Supabase renders its own errors on TUS routes as the status from `statusCode` with the message as text. */
function failStorage(exchange: Exchange, status: number, message: string): void {
  discardBody(exchange.request);
  sendTusError(exchange.response, status, message);
}

function versionOk(exchange: Exchange): boolean {
  if (header(exchange.request, 'tus-resumable') === '1.0.0') return true;
  fail(exchange, TUS_ERRORS.unsupportedVersion);
  return false;
}

/** OPTIONS: what the server supports; Tus-Max-Size is the project's upload limit. */
export function tusOptions(exchange: Exchange, state: ServerState): void {
  exchange.response.writeHead(204, {
    ...TUS_HEADERS,
    'tus-version': '1.0.0',
    'tus-extension': 'creation,creation-with-upload,creation-defer-length,termination,expiration',
    'tus-max-size': String(state.limits.fileSizeLimit),
  });
  exchange.response.end();
}

/**
 * POST /upload/resumable: Upload-Length (or Upload-Defer-Length: 1) and Upload-Metadata; 201 with Location. The
 * checks come in @tus/server's and Storage's order: length, metadata, bucket (404), size (413), then row-level
 * security (403), an existing object without x-upsert (409) and the MIME type (415).
 */
export async function tusCreate(exchange: Exchange, state: ServerState): Promise<void> {
  const { request, response } = exchange;
  if (!versionOk(exchange)) return;
  const lengthHeader = header(request, 'upload-length');
  const deferred = header(request, 'upload-defer-length') === '1';
  if ((lengthHeader === undefined) === !deferred || (lengthHeader !== undefined && !/^\d+$/.test(lengthHeader))) {
    return fail(exchange, TUS_ERRORS.invalidLength);
  }
  const metadataHeader = header(request, 'upload-metadata');
  if (metadataHeader === undefined) return failStorage(exchange, 400, 'Metadata header is required');
  const metadata = parseMetadata(metadataHeader);
  if (!metadata) return fail(exchange, TUS_ERRORS.invalidMetadata);
  const { bucketName, objectName, contentType } = metadata;
  if (!bucketName || !objectName) return failStorage(exchange, 400, 'Invalid key');
  const bucket = state.store.buckets.get(bucketName);
  if (!bucket) return failStorage(exchange, 404, 'Bucket not found');
  const length = lengthHeader === undefined ? null : Number(lengthHeader);
  if (length !== null && length > bucketLimit(state, bucket.file_size_limit)) {
    return fail(exchange, TUS_ERRORS.maxSizeExceeded);
  }
  if (exchange.role !== 'service_role') return failStorage(exchange, 403, 'new row violates row-level security policy');
  if (state.store.get(bucketName, objectName) && !isUpsert(exchange)) {
    return failStorage(exchange, 409, 'The resource already exists');
  }
  if (contentType && !mimeTypeAllowed(bucket.allowed_mime_types, contentType)) {
    return failStorage(exchange, 415, `mime type ${contentType} is not supported`);
  }
  const upload = await state.tus.create(bucketName, objectName, length, metadata);
  discardBody(request);
  response.writeHead(201, {
    ...TUS_HEADERS,
    location: uploadLocation(exchange, state, upload.id),
    'upload-expires': new Date(upload.expiresAt).toUTCString(),
  });
  response.end();
}

/**
 * Where Storage says the upload lives: built from the request's (forwarded) proto and host, the prefix the gateway
 * sent in X-Forwarded-Prefix, and the TUS path. Without that prefix (a plain proxy) the Location misses
 * `/storage/v1` and is not a URL the client can use as it is.
 */
function uploadLocation(exchange: Exchange, state: ServerState, id: string): string {
  const { request } = exchange;
  const proto = header(request, 'x-forwarded-proto') ?? 'http';
  const host = header(request, 'x-forwarded-host') ?? header(request, 'host');
  const prefix = state.gateway.sendsForwardedPrefix ? '/storage/v1' : '';
  return `${proto}://${host}${prefix}/upload/resumable/${id}`;
}

/** HEAD /upload/resumable/{id}: where the upload stands. */
export function tusHead(exchange: Exchange, state: ServerState): void {
  if (!versionOk(exchange)) return;
  const upload = state.tus.get(exchange.params[0]);
  const status = !upload ? 404 : state.tus.expired(upload) ? 410 : 200;
  exchange.response.writeHead(status, {
    ...TUS_HEADERS,
    'cache-control': 'no-store',
    ...(upload && status === 200
      ? {
          'upload-offset': String(upload.offset),
          ...(upload.length === null ? { 'upload-defer-length': '1' } : { 'upload-length': String(upload.length) }),
        }
      : {}),
  });
  exchange.response.end();
}

/** PATCH /upload/resumable/{id}: appends the body at Upload-Offset; the last byte turns the upload into the object. */
export async function tusPatch(exchange: Exchange, state: ServerState): Promise<void> {
  const { request } = exchange;
  if (!versionOk(exchange)) return;
  if (exchange.role !== 'service_role') return failStorage(exchange, 403, 'new row violates row-level security policy');
  const upload = state.tus.get(exchange.params[0]);
  if (!upload) return fail(exchange, TUS_ERRORS.notFound);
  if (state.tus.expired(upload)) return fail(exchange, TUS_ERRORS.gone);
  if (header(request, 'content-type') !== 'application/offset+octet-stream') {
    return fail(exchange, TUS_ERRORS.invalidContentType);
  }
  const offsetHeader = header(request, 'upload-offset');
  if (offsetHeader === undefined || !/^\d+$/.test(offsetHeader)) return fail(exchange, TUS_ERRORS.missingOffset);
  if (Number(offsetHeader) !== upload.offset) return fail(exchange, TUS_ERRORS.offsetConflict);

  const bucket = state.store.buckets.get(upload.bucket);
  const maxSize = bucketLimit(state, bucket?.file_size_limit ?? null);
  const declared = header(request, 'upload-length');
  if (upload.length === null && declared !== undefined) {
    if (!/^\d+$/.test(declared) || Number(declared) < upload.offset) return fail(exchange, TUS_ERRORS.invalidLength);
    if (Number(declared) > maxSize) return fail(exchange, TUS_ERRORS.maxSizeExceeded);
    upload.length = Number(declared);
  }
  const room = (upload.length ?? maxSize) - upload.offset;
  upload.patches += 1;
  const outcome = await writeBody(request, upload.file, {
    limit: room,
    dropAfter: exchange.dropAfter,
    append: true,
    onWrite: (bytes) => {
      upload.offset += bytes;
      upload.bytesReceived += bytes;
    },
  });
  if (outcome.kind === 'interrupted') return;
  if (outcome.kind === 'over-limit') {
    return fail(exchange, upload.length === null ? TUS_ERRORS.maxSizeExceeded : TUS_ERRORS.sizeExceeded);
  }
  if (upload.offset === upload.length && !upload.completed) return finish(exchange, state, upload);
  exchange.response.writeHead(204, { ...TUS_HEADERS, 'upload-offset': String(upload.offset) });
  exchange.response.end();
}

/** onUploadFinish: the object appears, with the metadata given at creation; upsert is read from this request. */
async function finish(exchange: Exchange, state: ServerState, upload: TusUpload): Promise<void> {
  const { contentType, cacheControl, metadata } = upload.metadata;
  const record = await state.store.commit(
    upload.bucket,
    upload.name,
    upload.file,
    {
      size: upload.offset,
      contentType: contentType || 'application/octet-stream',
      cacheControl: /^-?\d+$/.test(cacheControl ?? '') ? `max-age=${cacheControl}` : 'no-cache',
      metadata: parseUserMetadata(metadata),
      uploadType: 'resumable',
    },
    isUpsert(exchange),
  );
  if (!record) return failStorage(exchange, 409, 'The resource already exists');
  upload.completed = true;
  exchange.response.writeHead(204, { ...TUS_HEADERS, 'upload-offset': String(upload.offset), 'tus-complete': '1' });
  exchange.response.end();
}

/** DELETE /upload/resumable/{id}: termination (refused once the upload finished). */
export async function tusDelete(exchange: Exchange, state: ServerState): Promise<void> {
  const upload = state.tus.get(exchange.params[0]);
  if (!upload) return fail(exchange, TUS_ERRORS.notFound);
  if (upload.completed) return fail(exchange, TUS_ERRORS.completedTermination);
  upload.expiresAt = 0;
  await rm(upload.file, { force: true });
  exchange.response.writeHead(204, TUS_HEADERS);
  exchange.response.end();
}

function isUpsert(exchange: Exchange): boolean {
  return header(exchange.request, 'x-upsert') === 'true';
}

/** `key base64value,key2 base64value2`; null when malformed. */
function parseMetadata(value: string | undefined): Record<string, string> | null {
  if (!value) return null;
  const result: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const [key, encoded, extra] = pair.trim().split(' ');
    if (!key || extra !== undefined || key in result) return null;
    if (encoded !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return null;
    result[key] = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  }
  return result;
}

function parseUserMetadata(json: string | undefined): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
