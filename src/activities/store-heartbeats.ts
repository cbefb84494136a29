import type { Context } from '@temporalio/activity';
import type { UploadCheckpoint } from '../storage/types';

/** Where fetchProbeStore is: fetching the output to the spool file, probing it, storing it, or done. */
export type MediaPhase = 'fetching' | 'probing' | 'storing' | 'stored';

/** The output's size and SHA-256, as fetched (and probed, and stored). */
export interface OutputDigest {
  bytes: number;
  sha256: string;
}

/** What fetchProbeStore heartbeats. */
export interface FetchProbeStoreHeartbeat {
  phase: MediaPhase;
  /** fetching: bytes of the output on the worker's disk; probing: its size; storing, stored: bytes stored. */
  bytes: number;
  /** Once fetched, the output the upload below is of (a retry resumes that upload only for the same bytes). */
  output?: OutputDigest;
  /** During a resumable upload: where it stands. Carried over from the earlier attempt until replaced or dropped. */
  upload?: UploadCheckpoint;
}

/** The SDK throttles heartbeats too; this only spares it a call per network chunk. */
const PROGRESS_INTERVAL_MS = 500;
/** A probe, or a 6 MB chunk on a slow uplink, can outlast the 30 s heartbeat timeout: a tick keeps the attempt alive. */
const TICK_INTERVAL_MS = 5_000;

/**
 * fetchProbeStore's heartbeats. Every heartbeat carries the latest upload checkpoint and the output it belongs to,
 * so whichever one reaches the server last (the SDK throttles, and flushes the latest when an attempt fails) tells
 * the next attempt where to resume, even when that attempt dies while it fetches again.
 */
export class MediaHeartbeats {
  private phase: MediaPhase = 'fetching';
  private bytes = 0;
  private output: OutputDigest | null;
  private upload: UploadCheckpoint | null;
  private lastAt = 0;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly context: Context,
    earlier: EarlierStore | null,
  ) {
    this.output = earlier?.output ?? null;
    this.upload = earlier?.upload ?? null;
    this.send();
    this.ticker = setInterval(() => this.send(), TICK_INTERVAL_MS);
  }

  /**
   * The output is on disk. The earlier attempt's upload checkpoint is kept (and returned, for planResume) only if
   * it was of these very bytes.
   */
  fetched(output: OutputDigest): UploadCheckpoint | null {
    const same = this.output?.bytes === output.bytes && this.output.sha256 === output.sha256;
    if (!same) this.upload = null;
    this.output = { bytes: output.bytes, sha256: output.sha256 };
    this.enter('probing', output.bytes);
    return this.upload;
  }

  enter(phase: MediaPhase, bytes: number): void {
    this.phase = phase;
    this.bytes = bytes;
    this.send();
  }

  progress(bytes: number): void {
    this.bytes = bytes;
    if (Date.now() - this.lastAt >= PROGRESS_INTERVAL_MS) this.send();
  }

  /** Null forgets the upload: the next attempt starts a new one. */
  checkpoint(upload: UploadCheckpoint | null): void {
    this.upload = upload;
    if (upload && this.phase === 'storing') this.bytes = Math.max(this.bytes, upload.offset);
    this.send();
  }

  /** The last heartbeat: everything is stored, nothing is left to resume. */
  finish(bytes: number): void {
    this.upload = null;
    this.enter('stored', bytes);
    this.stop();
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  private send(): void {
    this.lastAt = Date.now();
    const details: FetchProbeStoreHeartbeat = {
      phase: this.phase,
      bytes: this.bytes,
      ...(this.output ? { output: this.output } : {}),
      ...(this.upload ? { upload: this.upload } : {}),
    };
    this.context.heartbeat(details);
  }
}

/** What an earlier attempt left to resume: its output's digest and its upload's checkpoint. */
export interface EarlierStore {
  output: OutputDigest;
  upload: UploadCheckpoint;
}

/** The resumable upload an earlier attempt left in its heartbeat details, if it is one of `path` with its output. */
export function earlierStore(details: unknown, path: string): EarlierStore | null {
  const { output, upload } = (details ?? {}) as Partial<FetchProbeStoreHeartbeat>;
  const validOutput =
    !!output &&
    typeof output === 'object' &&
    Number.isSafeInteger(output.bytes) &&
    output.bytes >= 0 &&
    typeof output.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(output.sha256);
  const checkpoint = validCheckpoint(upload, path);
  return validOutput && checkpoint ? { output, upload: checkpoint } : null;
}

function validCheckpoint(upload: UploadCheckpoint | undefined, path: string): UploadCheckpoint | null {
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
