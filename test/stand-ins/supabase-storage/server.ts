import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate, createProjectKeys, type ProjectKeys } from './auth';
import { createBucket, deleteBucket, emptyBucket, getBucket, listBuckets } from './bucket-routes';
import type { Exchange, Gateway, ServerState, StorageLimits } from './context';
import {
  httpStatusOf,
  sendGatewayUnauthorized,
  sendJson,
  sendStorageError,
  sendTusError,
  StorageErrors,
} from './errors';
import { Faults, type Fault, type FaultTarget } from './faults';
import {
  downloadObject,
  downloadPublicObject,
  downloadSignedObject,
  listObjects,
  objectInfo,
  removeObjects,
  signObject,
  signObjects,
  uploadObject,
} from './object-routes';
import { discardBody } from './request-body';
import { ObjectStore, type BucketRecord, type ObjectRecord } from './store';
import { tusCreate, tusDelete, tusHead, tusOptions, tusPatch } from './tus-routes';
import { TusUploads, type TusUpload } from './tus-uploads';
import { listenForTest } from '../../helpers/local-server';

type Handler = (exchange: Exchange, state: ServerState) => void | Promise<void>;

/**
 * Who may call a route. `public`: no key (public and signed reads, TUS OPTIONS). `jwt`: the gateway's apikey check,
 * then a valid JWT. `optional-jwt`: the apikey check, then a JWT when there is a valid one; without, the request is
 * anonymous (Storage's `allowInvalidJwt`, on GET/HEAD of an object and on object info).
 */
type Access = 'public' | 'jwt' | 'optional-jwt';

interface Route {
  methods: string[];
  /** Matched against the path below /storage/v1; groups become `params` (percent-decoded). */
  pattern: RegExp;
  target: FaultTarget;
  access: Access;
  handle: Handler;
}

const PATH = '(.+)';
const SEGMENT = '([^/]+)';
const route = (methods: string[], pattern: string, target: FaultTarget, handle: Handler, access: Access = 'jwt') => ({
  methods,
  pattern: new RegExp(`^${pattern}$`),
  target,
  access,
  handle,
});

/** Literal segments before `/object/{bucket}/*`, as Storage registers them. */
const ROUTES: Route[] = [
  route(['OPTIONS'], `/upload/resumable(?:/${SEGMENT})?`, 'any', tusOptions, 'public'),
  route(['POST'], '/upload/resumable/?', 'tus-create', tusCreate),
  route(['HEAD'], `/upload/resumable/${SEGMENT}`, 'tus-head', tusHead),
  route(['PATCH'], `/upload/resumable/${SEGMENT}`, 'tus-patch', tusPatch),
  route(['DELETE'], `/upload/resumable/${SEGMENT}`, 'any', tusDelete),
  route(['GET'], '/bucket/?', 'bucket', listBuckets),
  route(['POST'], '/bucket/?', 'bucket', createBucket),
  route(['GET'], `/bucket/${SEGMENT}`, 'bucket', getBucket),
  route(['DELETE'], `/bucket/${SEGMENT}`, 'bucket', deleteBucket),
  route(['POST'], `/bucket/${SEGMENT}/empty`, 'bucket', emptyBucket),
  route(['POST'], `/object/list/${SEGMENT}`, 'any', listObjects),
  route(['POST'], `/object/sign/${SEGMENT}/${PATH}`, 'sign', signObject),
  route(['POST'], `/object/sign/${SEGMENT}`, 'sign', signObjects),
  route(['GET', 'HEAD'], `/object/sign/${SEGMENT}/${PATH}`, 'download', downloadSignedObject, 'public'),
  route(['GET'], `/object/info/${SEGMENT}/${PATH}`, 'info', objectInfo, 'optional-jwt'),
  route(['GET', 'HEAD'], `/object/public/${SEGMENT}/${PATH}`, 'download', downloadPublicObject, 'public'),
  route(['GET', 'HEAD'], `/object/authenticated/${SEGMENT}/${PATH}`, 'download', downloadObject),
  route(['POST', 'PUT'], `/object/${SEGMENT}/${PATH}`, 'object-upload', uploadObject),
  route(['GET', 'HEAD'], `/object/${SEGMENT}/${PATH}`, 'download', downloadObject, 'optional-jwt'),
  route(['DELETE'], `/object/${SEGMENT}`, 'any', removeObjects),
];

export interface StorageServerOptions {
  /** The project's global upload limit; default 50 MiB as in the CLI and self-hosting. */
  fileSizeLimit?: number;
  /** Limit of standard (non-TUS) uploads; default 50 MiB. */
  standardUploadLimit?: number;
  /** Buckets that exist from the start. */
  buckets?: Array<{ id: string; public?: boolean; fileSizeLimit?: number | null; allowedMimeTypes?: string[] | null }>;
  /** How long a resumable upload URL lives; default 1 h (TUS_URL_EXPIRY_MS). */
  tusExpiryMs?: number;
  /**
   * What stands in front of Storage; default Supabase's API gateway (apikey checked, X-Forwarded-Prefix sent).
   * `{ checksApikey: false, sendsForwardedPrefix: false }` is a self-hosted Storage API server behind a plain proxy.
   */
  gateway?: Partial<Gateway>;
}

export interface RecordedRequest {
  method: string;
  /** Below /storage/v1, without the query (signed URLs carry tokens). */
  path: string;
  status: number;
}

export interface StorageServer {
  /** What SUPABASE_URL would be: Storage answers under `${url}/storage/v1`. */
  url: string;
  keys: ProjectKeys;
  faults: Faults;
  requests: RecordedRequest[];
  createBucket(id: string, options?: Parameters<ObjectStore['createBucket']>[1]): BucketRecord;
  bucket(id: string): BucketRecord | undefined;
  object(bucket: string, name: string): ObjectRecord | undefined;
  readObject(bucket: string, name: string): Promise<Buffer>;
  tusUploads(): TusUpload[];
  /** Makes every unfinished resumable upload expire now (HEAD/PATCH then answer 410). */
  expireTusUploads(): void;
  close(): Promise<void>;
}

/**
 * A local stand-in for Supabase Storage's object API: the same routes under /storage/v1, status codes and error
 * bodies, apikey and JWT checks, bucket limits and MIME allow-lists, TUS resumable uploads, and injectable faults.
 * Where it was compared with the real Storage API server, it answers as that did (docs/testing.md, "Fidelity";
 * `real-answers.test.ts` holds it to that). Objects live in files in a temporary folder.
 */
export async function startStorageServer(options: StorageServerOptions = {}): Promise<StorageServer> {
  const root = await mkdtemp(join(tmpdir(), 'supabase-storage-'));
  const store = new ObjectStore(root);
  await store.init();
  for (const bucket of options.buckets ?? []) store.createBucket(bucket.id, bucket);
  const limits: StorageLimits = {
    fileSizeLimit: options.fileSizeLimit ?? 50 * 1024 * 1024,
    standardUploadLimit: options.standardUploadLimit ?? 50 * 1024 * 1024,
  };
  const state: ServerState = {
    store,
    keys: createProjectKeys(),
    faults: new Faults(),
    limits,
    tus: new TusUploads(store, options.tusExpiryMs ?? 60 * 60 * 1000),
    gateway: { checksApikey: true, sendsForwardedPrefix: true, ...options.gateway },
  };
  const requests: RecordedRequest[] = [];
  const server = http.createServer((request, response) => {
    void handle(request, response, state, requests).catch((error: unknown) => {
      if (!response.headersSent) sendStorageError(response, StorageErrors.internal());
      else response.destroy(error as Error);
    });
  });
  const { port, close: closeServer } = await listenForTest(server);

  return {
    url: `http://127.0.0.1:${port}`,
    keys: state.keys,
    faults: state.faults,
    requests,
    createBucket: (id, bucketOptions) => store.createBucket(id, bucketOptions),
    bucket: (id) => store.buckets.get(id),
    object: (bucket, name) => store.get(bucket, name),
    readObject: async (bucket, name) => {
      const record = store.get(bucket, name);
      if (!record) throw new Error(`no object ${bucket}/${name}`);
      return readFile(store.fileOf(record));
    },
    tusUploads: () => state.tus.all(),
    expireTusUploads: () => state.tus.all().forEach((upload) => (upload.expiresAt = 0)),
    close: async () => {
      await closeServer();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  state: ServerState,
  requests: RecordedRequest[],
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname.startsWith('/storage/v1/') ? url.pathname.slice('/storage/v1'.length) : null;
  const method = request.method ?? 'GET';
  response.on('finish', () => requests.push({ method, path: path ?? url.pathname, status: response.statusCode }));
  const found =
    path === null ? undefined : ROUTES.find((entry) => entry.methods.includes(method) && entry.pattern.test(path));
  if (!found || path === null) {
    discardBody(request);
    return sendJson(response, 404, { message: 'Route not found' });
  }
  const params = (found.pattern.exec(path) ?? [])
    .slice(1)
    .filter((value) => value !== undefined)
    .map(decodeURIComponent);
  const exchange: Exchange = { request, response, url, params, role: 'anon', authenticated: false };

  const fault = state.faults.take(found.target);
  if (fault && (await applyFault(fault, found.target, exchange))) return;

  if (found.access !== 'public') {
    const auth = authenticate(request, url, state.keys, {
      apikey: state.gateway.checksApikey,
      jwtOptional: found.access === 'optional-jwt',
    });
    if (!auth.ok) {
      discardBody(request);
      if (auth.gateway) return sendGatewayUnauthorized(response, auth.apikeyPresent);
      // TUS routes render Storage errors as status + text, like the rest of their answers.
      if (found.target.startsWith('tus'))
        return sendTusError(response, Number(auth.error.statusCode), auth.error.message);
      return sendStorageError(response, auth.error);
    }
    exchange.role = auth.role;
    exchange.authenticated = auth.authenticated;
  }
  await found.handle(exchange, state);
}

/** True when the fault answered (or cut) the request; slow and drop-after faults let it go on. */
async function applyFault(fault: Fault, target: FaultTarget, exchange: Exchange): Promise<boolean> {
  const { request, response } = exchange;
  const tus = target.startsWith('tus');
  switch (fault.kind) {
    case 'slow':
      await sleep(fault.delayMs, undefined, { ref: false });
      return false;
    case 'drop-after':
      exchange.dropAfter = fault.bytes;
      return false;
    case 'drop':
      request.socket.destroy();
      return true;
    case 'unauthorized':
      discardBody(request);
      sendGatewayUnauthorized(response, true);
      return true;
    case 'too-large':
      discardBody(request);
      if (tus) sendTusError(response, 413, 'Maximum size exceeded\n');
      else sendStorageError(response, StorageErrors.tooLarge());
      return true;
    case 'status': {
      discardBody(request);
      if (fault.status === 502) {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
        return true;
      }
      const error =
        fault.status === 429
          ? StorageErrors.slowDown()
          : fault.status === 544
            ? StorageErrors.databaseTimeout()
            : StorageErrors.internal();
      if (tus) sendTusError(response, httpStatusOf(error), error.message);
      else sendStorageError(response, error);
      return true;
    }
  }
}
