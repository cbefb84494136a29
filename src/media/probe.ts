import { clipFailure, FailureType } from '../domain/failures';
import type { ProbedVideo } from '../domain/types';
import { openDownload } from './download';
import { describeUrl } from './download-failures';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from './download-policy';
import { ffprobeFailure } from './ffprobe-errors';
import { FFPROBE_PATH } from './binaries';
import { runFfprobe } from './ffprobe-process';
import { readProbeReport } from './ffprobe-report';

export interface ProbeOptions {
  /** Hard wall-clock limit for the whole probe; ffprobe is killed when it passes. */
  timeoutMs: number;
  /** Default: the ffprobe-static binary. */
  ffprobePath?: string;
  /** Host, redirect and timeout rules; default DEFAULT_DOWNLOAD_POLICY (no private hosts). */
  download?: DownloadPolicy;
  signal?: AbortSignal;
}

/**
 * Measures the video at `url` with ffprobe reading over HTTP (it fetches only the ranges it needs).
 * A preflight request through the download layer first applies the host policy to the URL and to every
 * redirect, and turns HTTP statuses into the usual failures; ffprobe then reads the final URL.
 */
export async function probeVideo(url: string, options: ProbeOptions): Promise<ProbedVideo> {
  const policy = options.download ?? DEFAULT_DOWNLOAD_POLICY;
  const where = describeUrl(url);
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
    const finalUrl = await preflight(url, policy, deadline.signal);
    const ioTimeoutMicros = Math.min(policy.idleTimeoutMs, options.timeoutMs) * 1000;
    const args = ['-v', 'error', '-rw_timeout', String(ioTimeoutMicros), '-print_format', 'json'];
    const outcome = await runFfprobe(
      [...args, '-show_streams', '-show_format', finalUrl],
      options.ffprobePath ?? FFPROBE_PATH,
      deadline.signal,
    ).catch((error: unknown) => {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      throw clipFailure(FailureType.Retryable, `Could not run ffprobe: ${(error as Error).message}`);
    });
    if (outcome.exitCode !== 0) throw ffprobeFailure(outcome.stderr, outcome.exitCode, where);
    return readProbeReport(outcome.stdout, where);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** Checks the URL and its redirects, and its status, without reading the body. */
async function preflight(url: string, policy: DownloadPolicy, signal: AbortSignal): Promise<string> {
  const opened = await openDownload(url, policy, signal);
  opened.stream.destroy();
  return opened.finalUrl;
}
