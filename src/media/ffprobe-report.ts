import { clipFailure, FailureType } from '../domain/failures';
import type { ProbedVideo } from '../domain/types';

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
