import { open } from 'node:fs/promises';
import { clipFailure, FailureType } from '../domain/failures';
import type { ProbedVideo } from '../domain/types';
import { FFPROBE_PATH } from './binaries';
import { ffprobeFailure } from './ffprobe-errors';
import { runFfprobe } from './ffprobe-process';
import { readProbeReport } from './ffprobe-report';

export interface ProbeOptions {
  /** Hard wall-clock limit for the whole probe; ffprobe is killed when it passes. */
  timeoutMs: number;
  /** Default: the ffprobe-static binary. */
  ffprobePath?: string;
  /** How messages name the file: the output's URL without its query. Default: the path. */
  where?: string;
  signal?: AbortSignal;
}

/** The demuxers ffprobe may use: the MP4 family (ffprobe's "mov,mp4,m4a,3gp,3g2,mj2"). */
const MP4_DEMUXERS = 'mov,mp4,m4a,3gp,3g2,mj2';

/**
 * Measures the MP4 video in the local file `filePath` with ffprobe. ffprobe gets the path, never a URL, and may
 * open nothing else: `-protocol_whitelist file` keeps it off the network, and `-format_whitelist` lets only the
 * MP4 demuxer read the file, so a playlist (HLS, DASH) or any other container is refused, never followed.
 * A file that is not a playable MP4 video is a GenerationError; ffprobe crashing is a RetryableError.
 */
export async function probeFile(filePath: string, options: ProbeOptions): Promise<ProbedVideo> {
  const where = options.where ?? filePath;
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(
      clipFailure(FailureType.Retryable, `Probing ${where} did not finish within ${options.timeoutMs} ms`),
    );
  }, options.timeoutMs);
  const onCallerAbort = () => deadline.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  try {
    const args = [
      ...['-v', 'error', '-protocol_whitelist', 'file', '-format_whitelist', MP4_DEMUXERS],
      ...['-print_format', 'json', '-show_streams', '-show_format', `file:${filePath}`],
    ];
    const outcome = await runFfprobe(args, options.ffprobePath ?? FFPROBE_PATH, deadline.signal).catch(
      (error: unknown) => {
        if (deadline.signal.aborted) throw deadline.signal.reason;
        throw clipFailure(FailureType.Retryable, `Could not run ffprobe: ${(error as Error).message}`);
      },
    );
    if (outcome.exitCode !== 0) {
      throw ffprobeFailure(outcome, where, filePath, await sniffNotAnMp4(filePath));
    }
    return readProbeReport(outcome.stdout, where);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** What the file plainly is when it is a well-known non-video (a playlist, a web page), to say so. */
async function sniffNotAnMp4(filePath: string): Promise<string | null> {
  let head: string;
  try {
    const file = await open(filePath, 'r');
    try {
      const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(512), position: 0 });
      if (bytesRead === 0) return 'it is empty';
      head = buffer
        .subarray(0, bytesRead)
        .toString('latin1')
        .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
        .trimStart();
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
  if (head.startsWith('#EXTM3U')) return 'it is an HLS playlist (.m3u8), not an MP4 file';
  if (/^<\?xml[^>]*>\s*<MPD[\s>]/i.test(head) || /^<MPD[\s>]/i.test(head)) {
    return 'it is a DASH manifest, not an MP4 file';
  }
  if (/^<(!doctype html|html|head|body)[\s>]/i.test(head)) return 'it is an HTML page, not an MP4 file';
  return null;
}
