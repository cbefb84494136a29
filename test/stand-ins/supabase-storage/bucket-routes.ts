import type { Exchange, ServerState } from './context';
import { sendJson, sendStorageError, StorageErrors } from './errors';
import { readJson } from './request-body';
import type { BucketRecord } from './store';

/** GET /bucket: the buckets the caller may see (none for anon: row-level security on storage.buckets). */
export function listBuckets(exchange: Exchange, state: ServerState): void {
  const visible = exchange.role === 'service_role' ? [...state.store.buckets.values()] : [];
  sendJson(exchange.response, 200, visible);
}

/** GET /bucket/{id} */
export function getBucket(exchange: Exchange, state: ServerState): void {
  const bucket = exchange.role === 'service_role' ? state.store.buckets.get(exchange.params[0]) : undefined;
  if (!bucket) return sendStorageError(exchange.response, StorageErrors.noSuchBucket());
  sendJson(exchange.response, 200, bucket satisfies BucketRecord);
}

/** POST /bucket {id, name, public, file_size_limit, allowed_mime_types}: `{name}`; service role only. */
export async function createBucket(exchange: Exchange, state: ServerState): Promise<void> {
  const body = await readJson(exchange.request);
  const id = typeof body?.id === 'string' ? body.id : typeof body?.name === 'string' ? body.name : null;
  if (!id)
    return sendStorageError(exchange.response, StorageErrors.invalidRequest("body must have required property 'name'"));
  if (exchange.role !== 'service_role') return sendStorageError(exchange.response, StorageErrors.rowLevelSecurity());
  if (state.store.buckets.has(id)) return sendStorageError(exchange.response, StorageErrors.bucketExists());
  const fileSizeLimit = parseSize(body?.file_size_limit);
  if (fileSizeLimit === undefined) {
    return sendStorageError(exchange.response, StorageErrors.invalidRequest('file_size_limit is not a valid size'));
  }
  const allowed = body?.allowed_mime_types;
  state.store.createBucket(id, {
    public: body?.public === true,
    fileSizeLimit,
    allowedMimeTypes: Array.isArray(allowed) ? allowed.map(String) : null,
  });
  sendJson(exchange.response, 200, { name: id });
}

/** DELETE /bucket/{id}: only an empty bucket goes (400 "409" "The bucket you tried to delete is not empty"). */
export function deleteBucket(exchange: Exchange, state: ServerState): void {
  const id = exchange.params[0];
  if (exchange.role !== 'service_role' || !state.store.buckets.has(id)) {
    return sendStorageError(exchange.response, StorageErrors.noSuchBucket());
  }
  if (state.store.inBucket(id).length > 0) return sendStorageError(exchange.response, StorageErrors.bucketNotEmpty());
  state.store.buckets.delete(id);
  sendJson(exchange.response, 200, { message: 'Successfully deleted' });
}

/** POST /bucket/{id}/empty: removes every object of the bucket. */
export async function emptyBucket(exchange: Exchange, state: ServerState): Promise<void> {
  const id = exchange.params[0];
  if (exchange.role !== 'service_role' || !state.store.buckets.has(id)) {
    return sendStorageError(exchange.response, StorageErrors.noSuchBucket());
  }
  const names = state.store.inBucket(id).map((record) => record.name);
  await state.store.remove(id, names);
  sendJson(exchange.response, 200, { message: 'Successfully emptied' });
}

/** A number of bytes, or a string such as "50MB" / "1GB"; null for none; undefined when unreadable. */
function parseSize(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = /^(\d+)\s*(B|KB|MB|GB)?$/i.exec(String(value).trim());
  if (!match) return undefined;
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(match[2] ?? 'B').toUpperCase() as 'B'];
  return Number(match[1]) * unit;
}
