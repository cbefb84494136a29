import type { Context } from '@temporalio/activity';
import type { UploadCheckpoint } from '../storage/types';

/** What storeClip heartbeats: bytes stored so far and, during a resumable upload, where it stands. */
export interface StoreHeartbeat {
  bytes: number;
  upload?: UploadCheckpoint;
}

/** The SDK throttles heartbeats too; this only spares it a call per network chunk. */
const PROGRESS_INTERVAL_MS = 500;
/** A 6 MB chunk on a slow uplink can take longer than the heartbeat timeout; the request timeout bounds it. */
const TICK_INTERVAL_MS = 5_000;

/**
 * storeClip's heartbeats. Every heartbeat carries the latest checkpoint, so whichever one reaches the server last
 * (the SDK throttles, and flushes the latest when an attempt fails) tells the next attempt where to resume.
 */
export class StoreHeartbeats {
  private bytes: number;
  private lastAt = 0;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly context: Context,
    private upload: UploadCheckpoint | null,
  ) {
    this.bytes = upload?.offset ?? 0;
    this.send();
    this.ticker = setInterval(() => this.send(), TICK_INTERVAL_MS);
  }

  progress(bytes: number): void {
    this.bytes = bytes;
    if (Date.now() - this.lastAt >= PROGRESS_INTERVAL_MS) this.send();
  }

  /** Null forgets the upload: the next attempt starts a new one. */
  checkpoint(upload: UploadCheckpoint | null): void {
    this.upload = upload;
    if (upload) this.bytes = Math.max(this.bytes, upload.offset);
    this.send();
  }

  /** The last heartbeat: everything is stored, nothing is left to resume. */
  finish(bytes: number): void {
    this.upload = null;
    this.bytes = bytes;
    this.send();
    this.stop();
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  private send(): void {
    this.lastAt = Date.now();
    const details: StoreHeartbeat = this.upload ? { bytes: this.bytes, upload: this.upload } : { bytes: this.bytes };
    this.context.heartbeat(details);
  }
}

/** The checkpoint an earlier attempt of this store left in its heartbeat details, if it is one for `path`. */
export function earlierCheckpoint(details: unknown, path: string): UploadCheckpoint | null {
  const upload = (details as Partial<StoreHeartbeat> | undefined)?.upload;
  if (!upload || typeof upload !== 'object' || upload.path !== path) return null;
  const { uploadUrl, offset, totalBytes, hash } = upload;
  const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  const validHash =
    !!hash &&
    Array.isArray(hash.words) &&
    hash.words.length === 8 &&
    hash.words.every(Number.isInteger) &&
    hash.bytes === offset &&
    typeof hash.tail === 'string';
  const valid =
    typeof uploadUrl === 'string' && isCount(offset) && (totalBytes === null || isCount(totalBytes)) && validHash;
  return valid ? upload : null;
}
