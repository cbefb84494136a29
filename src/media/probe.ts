import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { constants } from 'node:os';
import type { ApplicationFailure } from '@temporalio/common';
import { clipFailure, FailureType } from '../domain/failures';
import type { ProbedVideo } from '../domain/types';
import { FFPROBE_PATH } from './binaries';

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

export interface FfprobeOutcome {
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  /** The signal that ended the process (e.g. SIGSEGV when it crashed), else null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The end of stderr (ffprobe's error messages are at the end). */
  stderr: string;
}

const MAX_STDOUT_CHARS = 4 * 1024 * 1024;
const MAX_STDERR_CHARS = 16 * 1024;

/**
 * Runs ffprobe and collects its output. The child is killed (SIGKILL) as soon as `signal` aborts, and the
 * promise then rejects with the signal's reason, so a stalled probe never outlives its deadline.
 */
export function runFfprobe(args: string[], ffprobePath: string, signal: AbortSignal): Promise<FfprobeOutcome> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const child = spawn(ffprobePath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const onAbort = () => {
      child.kill('SIGKILL');
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (stdout.length < MAX_STDOUT_CHARS) stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (exitCode, exitSignal) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal: exitSignal, stdout, stderr });
    });
  });
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
}

interface FfprobeJson {
  streams?: FfprobeStream[];
  format?: { duration?: string; format_name?: string };
}

/** Turns ffprobe's JSON (`-show_streams -show_format`) into the facts we keep, or a GenerationError. */
export function readProbeReport(json: string, where: string): ProbedVideo {
  const report = parseJson(json, where);
  const video = report.streams?.find((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic);
  const notAVideo = (why: string) => clipFailure(FailureType.Generation, `${where} is not a playable video: ${why}`);
  const container = report.format?.format_name ?? '';
  if (!container.split(',').some((name) => name === 'mp4' || name === 'mov')) {
    throw notAVideo(`ffprobe read it as ${container ? `"${container}"` : 'an unknown format'}, not as an MP4 file`);
  }
  if (!video) throw notAVideo('it has no video stream');

  const duration = positive(video.duration) ?? positive(report.format?.duration);
  if (duration === null) throw notAVideo('ffprobe found no duration');
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0) throw notAVideo(`its video stream has no picture size (${width}x${height})`);
  const frames = positive(video.nb_frames);
  const fps = frameRate(video.avg_frame_rate) ?? frameRate(video.r_frame_rate);
  if (fps === null) throw notAVideo('its video stream has no frame rate');

  return {
    duration,
    width,
    height,
    fps: Math.round(fps * 1000) / 1000,
    codec: video.codec_name ?? 'unknown',
    frames: frames === null ? null : Math.round(frames),
  };
}

function parseJson(json: string, where: string): FfprobeJson {
  try {
    return JSON.parse(json) as FfprobeJson;
  } catch {
    throw clipFailure(FailureType.Generation, `ffprobe gave no readable report for ${where}`);
  }
}

function positive(value: string | undefined): number | null {
  const number = value === undefined ? NaN : Number(value);
  return Number.isFinite(number) && number > 0 ? number : null;
}

/** ffprobe writes rates as fractions, e.g. '24000/1001'; '0/0' means unknown. */
function frameRate(fraction: string | undefined): number | null {
  const match = /^(\d+)\/(\d+)$/.exec(fraction ?? '');
  if (!match) return positive(fraction);
  const [numerator, denominator] = [Number(match[1]), Number(match[2])];
  return numerator > 0 && denominator > 0 ? numerator / denominator : null;
}

/**
 * Classifies a failed ffprobe run over a local file. ffprobe dying of a signal (a crash, or killed by the system)
 * says nothing about the video: that is retryable, and the message names the signal. Any other failure means
 * ffprobe read the bytes and could not make an MP4 video of them: a GenerationError.
 */
export function ffprobeFailure(
  outcome: FfprobeOutcome,
  where: string,
  filePath: string,
  sniffed: string | null,
): ApplicationFailure {
  const crash = crashSignal(outcome);
  if (crash) {
    const how = outcome.signal ? `killed by ${crash}` : `exit code ${outcome.exitCode}, ${crash}`;
    return clipFailure(FailureType.Retryable, `ffprobe crashed (${how}) while probing ${where}`);
  }
  if (sniffed) return clipFailure(FailureType.Generation, `${where} is not a playable video: ${sniffed}`);
  const lastLine =
    outcome.stderr
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .pop() ?? `ffprobe exited with code ${outcome.exitCode}`;
  // ffprobe names its input (our spool file) in its messages; the output's URL says more.
  const detail = lastLine.split(`file:${filePath}: `).join('').split(`${filePath}: `).join('');
  return clipFailure(FailureType.Generation, `${where} is not a playable video (ffprobe: ${detail})`);
}

/**
 * The signal that ended ffprobe: the process's own, or the one a shell wrapper reports as exit code 128 + N
 * (139 after SIGSEGV). Null for an ordinary exit.
 */
function crashSignal(outcome: FfprobeOutcome): string | null {
  if (outcome.signal) return outcome.signal;
  const code = outcome.exitCode;
  if (code === null) return 'an unknown signal';
  if (code <= 128 || code > 128 + 64) return null;
  const name = Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0];
  return name ?? null;
}
