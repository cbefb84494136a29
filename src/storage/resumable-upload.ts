import { clipFailure, FailureType } from '../domain/failures';
import { ResumableSha256 } from './resumable-sha256';
import { TusResponseError, type TusClient } from './tus-client';
import type { ResumePlan, UploadCheckpoint } from './types';

export interface ResumableUploadParams {
  tus: TusClient;
  /** The object's path inside the bucket (kept in checkpoints). */
  path: string;
  /** TUS Upload-Metadata of a new upload: bucketName, objectName, contentType, cacheControl, metadata. */
  metadata: Record<string, string>;
  /** Pieces already read from the body (while choosing between a standard and a resumable upload). */
  head: Buffer[];
  /** The rest of the body. */
  rest: AsyncIterable<Buffer>;
  /** Offset of the body's first byte in the object. */
  bodyStartsAt: number;
  /** The object's size, when known. */
  totalBytes: number | null;
  resume?: ResumePlan;
  chunkBytes: number;
  onProgress?: (bytes: number) => void;
  onCheckpoint?: (checkpoint: UploadCheckpoint | null) => void;
  signal?: AbortSignal;
}

/**
 * Streams a body into a TUS upload in chunks of `chunkBytes` (one buffer, reused), hashing every byte. A resumed
 * upload continues at the server's offset: body bytes the server already holds are hashed but not sent again.
 * After each stored chunk the upload's position (URL, offset, hash state) goes to `onCheckpoint`.
 */
export async function uploadResumable(params: ResumableUploadParams): Promise<{ bytes: number; sha256: string }> {
  const { tus, signal, chunkBytes } = params;
  const { uploadUrl, hasher, totalBytes, lengthDeferred, ...start } = await startOrResume(params);
  let serverOffset = start.serverOffset;
  let position = params.bodyStartsAt;
  const chunk = Buffer.allocUnsafe(chunkBytes);
  let filled = 0;

  const checkpoint = () =>
    params.onCheckpoint?.({
      path: params.path,
      uploadUrl,
      offset: serverOffset,
      totalBytes: lengthDeferred ? null : totalBytes,
      hash: hasher.exportState(),
    });

  const send = async (declareLength: number | null) => {
    try {
      serverOffset = await tus.append(uploadUrl, serverOffset, chunk.subarray(0, filled), declareLength, signal);
    } catch (error) {
      if (error instanceof TusResponseError && ['404', '410'].includes(error.report.code)) {
        throw startOver(params, `the resumable upload expired or vanished at byte ${serverOffset}`);
      }
      throw error;
    }
    filled = 0;
    checkpoint();
    params.onProgress?.(serverOffset);
  };

  const take = async (piece: Buffer) => {
    let at = 0;
    if (position < serverOffset) {
      at = Math.min(serverOffset - position, piece.length);
      hasher.update(piece.subarray(0, at));
      position += at;
      if (position === serverOffset) checkpoint();
      params.onProgress?.(position);
    }
    if (totalBytes !== null && position + piece.length - at > totalBytes) {
      throw startOver(params, `the source sent more than the ${totalBytes} bytes it announced`);
    }
    while (at < piece.length) {
      const part = piece.subarray(at, at + Math.min(chunkBytes - filled, piece.length - at));
      part.copy(chunk, filled);
      hasher.update(part);
      filled += part.length;
      position += part.length;
      at += part.length;
      if (filled === chunkBytes) await send(null);
    }
  };

  if (!params.resume) checkpoint();
  for (const piece of params.head) await take(piece);
  for await (const piece of params.rest) await take(piece);

  if (position < serverOffset || (totalBytes !== null && position !== totalBytes)) {
    // A cut-off download: what is stored stays valid, so the checkpoint stands and the next attempt resumes.
    const expected = totalBytes === null ? '' : ` of ${totalBytes}`;
    throw clipFailure(
      FailureType.Retryable,
      `Storing ${params.metadata.bucketName}/${params.path}: the source ended after ${position} bytes${expected}; the upload holds ${serverOffset}`,
    );
  }
  // A deferred upload learns its length on its last PATCH, which may carry no bytes at all.
  if (lengthDeferred) await send(position);
  else if (filled > 0) await send(null);
  return { bytes: position, sha256: hasher.digest() };
}

interface Start {
  uploadUrl: string;
  serverOffset: number;
  hasher: ResumableSha256;
  /** The object's size as far as anyone said (server, checkpoint or source). */
  totalBytes: number | null;
  /** The server does not know the length yet: the last PATCH must declare it. */
  lengthDeferred: boolean;
}

async function startOrResume(params: ResumableUploadParams): Promise<Start> {
  const { resume, bodyStartsAt } = params;
  if (!resume) {
    if (bodyStartsAt !== 0) throw new Error('A new resumable upload needs the body from its first byte');
    return {
      uploadUrl: await params.tus.create(params.totalBytes, params.metadata, params.signal),
      serverOffset: 0,
      hasher: new ResumableSha256(),
      totalBytes: params.totalBytes,
      lengthDeferred: params.totalBytes === null,
    };
  }
  const { checkpoint, serverOffset } = resume;
  if (checkpoint.totalBytes !== null && params.totalBytes !== null && checkpoint.totalBytes !== params.totalBytes) {
    throw startOver(params, `the source is now ${params.totalBytes} bytes, not ${checkpoint.totalBytes}`);
  }
  // The hash state is at the checkpoint: a download resumed there continues it; one from byte 0 starts afresh.
  let hasher: ResumableSha256;
  if (bodyStartsAt === checkpoint.offset) hasher = new ResumableSha256(checkpoint.hash);
  else if (bodyStartsAt === 0) hasher = new ResumableSha256();
  else
    throw new Error(`A resumed body must start at 0 or at the checkpoint (${checkpoint.offset}), not ${bodyStartsAt}`);
  return {
    uploadUrl: checkpoint.uploadUrl,
    serverOffset,
    hasher,
    totalBytes: checkpoint.totalBytes ?? params.totalBytes,
    lengthDeferred: checkpoint.totalBytes === null,
  };
}

/** The upload cannot continue as it stands: drop the checkpoint so the next attempt begins a new one. */
function startOver(params: ResumableUploadParams, what: string): Error {
  params.onCheckpoint?.(null);
  return clipFailure(
    FailureType.Retryable,
    `Storing ${params.metadata.bucketName}/${params.path}: ${what}; the next attempt starts over`,
  );
}
