import type { ServerResponse } from 'node:http';

/** The body Supabase Storage sends for every error: four strings, in this order. */
export interface StorageErrorBody {
  statusCode: string;
  error: string;
  message: string;
  code: string;
}

const body = (statusCode: string, error: string, message: string, code: string): StorageErrorBody => ({
  statusCode,
  error,
  message,
  code,
});

export const StorageErrors = {
  duplicate: () => body('409', 'Duplicate', 'The resource already exists', 'KeyAlreadyExists'),
  bucketExists: () => body('409', 'Duplicate', 'The resource already exists', 'BucketAlreadyExists'),
  bucketNotEmpty: () =>
    body('409', 'ResourceNotEmpty', 'The bucket you tried to delete is not empty', 'ResourceNotEmpty'),
  noSuchKey: () => body('404', 'not_found', 'Object not found', 'NoSuchKey'),
  noSuchBucket: () => body('404', 'Bucket not found', 'Bucket not found', 'NoSuchBucket'),
  accessDenied: (message: string) => body('403', 'Unauthorized', message, 'AccessDenied'),
  rowLevelSecurity: () => body('403', 'Unauthorized', 'new row violates row-level security policy', 'AccessDenied'),
  tooLarge: () => body('413', 'Payload too large', 'The object exceeded the maximum allowed size', 'EntityTooLarge'),
  invalidMimeType: (type: string) =>
    body('415', 'invalid_mime_type', `mime type ${type} is not supported`, 'InvalidMimeType'),
  emptyBody: () => body('400', 'InvalidRequest', 'No content provided', 'InvalidRequest'),
  invalidRequest: (message: string) => body('400', 'InvalidRequest', message, 'InvalidRequest'),
  invalidJwt: (message: string) => body('400', 'InvalidJWT', message, 'InvalidJWT'),
  invalidSignature: () => body('400', 'InvalidSignature', 'The url do not match the signature', 'InvalidSignature'),
  internal: () => body('500', 'Internal', 'Internal Server Error', 'InternalError'),
  slowDown: () => body('429', 'too_many_connections', 'Too many connections issued to the database', 'SlowDown'),
  databaseTimeout: () => body('544', 'DatabaseTimeout', 'Timeout while waiting for the database', 'DatabaseTimeout'),
};

/** Every error is HTTP 400 except 500 (internal), 429 (SlowDown) and 544 (DatabaseTimeout). */
export function httpStatusOf(error: StorageErrorBody): number {
  return ['500', '429', '544'].includes(error.statusCode) ? Number(error.statusCode) : 400;
}

export function sendStorageError(response: ServerResponse, error: StorageErrorBody): void {
  sendJson(response, httpStatusOf(error), error);
}

/** What the API gateway answers for a missing or unknown apikey (not Storage's shape). */
export function sendGatewayUnauthorized(response: ServerResponse, apikeyPresent: boolean): void {
  sendJson(
    response,
    401,
    apikeyPresent
      ? { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' }
      : { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
  );
}

/** TUS routes keep the real status and answer in plain text (@tus/server, Supabase's onResponseError). */
export function sendTusError(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'text/plain', 'tus-resumable': '1.0.0' });
  response.end(text);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  if (response.headersSent) return;
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
