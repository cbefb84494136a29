import type { StorageErrorReport } from './supabase-failures';

/** The failed answer of a TUS request: TUS routes keep real HTTP statuses and mostly answer in plain text. */
export class TusResponseError extends Error {
  constructor(readonly report: StorageErrorReport) {
    super(report.message);
    this.name = 'TusResponseError';
  }
}

export interface TusClientOptions {
  /** `${SUPABASE_URL}/storage/v1/upload/resumable` */
  endpoint: string;
  /** apikey and authorization; sent only to `endpoint` and the uploads below it. */
  headers: Record<string, string>;
  fetch: typeof fetch;
}

export interface TusUploadStatus {
  offset: number;
  /** Null while the upload's length is deferred. */
  length: number | null;
}

const TUS_VERSION = '1.0.0';
const MAX_ERROR_BODY_CHARS = 2_000;

/**
 * The few TUS 1.0 requests a resumable upload needs (creation, offset, append), as Supabase Storage serves them.
 * Every request says `x-upsert: true`: Supabase finishes the object on the last PATCH and reads the header there.
 */
export class TusClient {
  constructor(private readonly options: TusClientOptions) {}

  /** Creates an upload and returns its URL. `length` null defers it to the last PATCH (creation-defer-length). */
  async create(length: number | null, metadata: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const response = await this.send(this.options.endpoint, 'POST', signal, {
      ...(length === null ? { 'upload-defer-length': '1' } : { 'upload-length': String(length) }),
      'upload-metadata': encodeMetadata(metadata),
    });
    await expectStatus(response, [201]);
    const location = response.headers.get('location');
    const id = location ? /([^/]+)\/?$/.exec(new URL(location, this.options.endpoint).pathname)?.[1] : undefined;
    if (!id) {
      throw new TusResponseError({
        status: response.status,
        code: '500',
        message: 'upload created without a Location',
      });
    }
    // Only the id is taken from Location, so our key is never sent to a host the server names.
    return `${this.options.endpoint}/${id}`;
  }

  /** Where an upload stands, or null when the server no longer knows it (404/410: expired or never finished). */
  async status(uploadUrl: string, signal?: AbortSignal): Promise<TusUploadStatus | null> {
    const response = await this.send(this.checked(uploadUrl), 'HEAD', signal);
    if (response.status === 404 || response.status === 410) return null;
    await expectStatus(response, [200, 204]);
    const offset = headerNumber(response, 'upload-offset');
    if (offset === null) {
      throw new TusResponseError({ status: response.status, code: '500', message: 'HEAD answered no Upload-Offset' });
    }
    return { offset, length: headerNumber(response, 'upload-length') };
  }

  /**
   * Appends `chunk` at `offset` and returns the new offset. `declareLength` sets a deferred upload's length (on its
   * last PATCH). A 404/410/409 means the upload is gone or elsewhere: a TusResponseError the next attempt resolves.
   */
  async append(
    uploadUrl: string,
    offset: number,
    chunk: Uint8Array<ArrayBuffer>,
    declareLength: number | null,
    signal?: AbortSignal,
  ): Promise<number> {
    const response = await this.send(
      this.checked(uploadUrl),
      'PATCH',
      signal,
      {
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        ...(declareLength === null ? {} : { 'upload-length': String(declareLength) }),
      },
      chunk,
    );
    await expectStatus(response, [204, 200]);
    const next = headerNumber(response, 'upload-offset');
    if (next !== offset + chunk.length) {
      throw new TusResponseError({
        status: response.status,
        code: '500',
        message: `PATCH at ${offset} with ${chunk.length} bytes answered Upload-Offset ${next ?? 'none'}`,
      });
    }
    return next;
  }

  /** Upload URLs come back from heartbeat details: only those right under our endpoint ever get our key. */
  owns(uploadUrl: string): boolean {
    const prefix = `${this.options.endpoint}/`;
    return uploadUrl.startsWith(prefix) && /^[A-Za-z0-9_-]+$/.test(uploadUrl.slice(prefix.length));
  }

  private checked(uploadUrl: string): string {
    if (!this.owns(uploadUrl)) throw new Error(`Refusing a resumable upload URL outside ${this.options.endpoint}`);
    return uploadUrl;
  }

  private send(
    url: string,
    method: string,
    signal: AbortSignal | undefined,
    headers: Record<string, string> = {},
    body?: Uint8Array<ArrayBuffer>,
  ): Promise<Response> {
    return this.options.fetch(url, {
      method,
      headers: { ...this.options.headers, 'tus-resumable': TUS_VERSION, 'x-upsert': 'true', ...headers },
      body,
      signal,
    });
  }
}

async function expectStatus(response: Response, expected: number[]): Promise<void> {
  if (expected.includes(response.status)) {
    await response.body?.cancel();
    return;
  }
  throw new TusResponseError(await readErrorReport(response));
}

/** A JSON error body (auth, gateway) carries its own statusCode; TUS protocol errors are plain text. */
async function readErrorReport(response: Response): Promise<StorageErrorReport> {
  const text = (await response.text().catch(() => '')).slice(0, MAX_ERROR_BODY_CHARS).trim();
  const retryAfter = response.headers.get('retry-after');
  try {
    const body = JSON.parse(text) as { statusCode?: unknown; code?: unknown; message?: unknown; error?: unknown };
    if (body && typeof body === 'object') {
      const statusCode = typeof body.statusCode === 'string' ? body.statusCode : undefined;
      const message = [body.message, body.error].find((value) => typeof value === 'string') as string | undefined;
      return {
        status: response.status,
        code: statusCode ?? String(response.status),
        name: typeof body.code === 'string' ? body.code : undefined,
        message: message ?? text,
        retryAfter,
      };
    }
  } catch {
    // Not JSON: the TUS server's own words, or a gateway's HTML page.
  }
  const message = text && !text.startsWith('<') ? text : response.statusText || `HTTP ${response.status}`;
  return { status: response.status, code: String(response.status), message, retryAfter };
}

function headerNumber(response: Response, name: string): number | null {
  const value = response.headers.get(name);
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}
