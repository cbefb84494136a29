import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_PATH } from '../../../src/media/binaries';

const run = promisify(execFile);

export interface TestVideo {
  frames: number;
  fps: number;
  width?: number;
  height?: number;
  /** Default true; false leaves the moov atom at the end, as many model outputs do. */
  faststart?: boolean;
}

/** Encodes a real H.264 MP4 with ffmpeg and returns its path. */
export async function makeMp4(dir: string, name: string, video: TestVideo): Promise<string> {
  const file = join(dir, name);
  const size = `${video.width ?? 160}x${video.height ?? 96}`;
  await run(FFMPEG_PATH, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${video.fps}`],
    ...['-frames:v', String(video.frames), '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
    ...(video.faststart === false ? [] : ['-movflags', '+faststart']),
    file,
  ]);
  return file;
}

/** An audio-only MP4 (AAC): a readable media file with no video stream. */
export async function makeAudioOnlyMp4(dir: string, name: string): Promise<string> {
  const file = join(dir, name);
  await run(FFMPEG_PATH, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', file],
  ]);
  return file;
}

/** A real H.264 MPEG-TS segment, as an HLS playlist would list. */
export async function makeTsSegment(dir: string, name: string, video: TestVideo): Promise<string> {
  const file = join(dir, name);
  await run(FFMPEG_PATH, [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${video.width ?? 160}x${video.height ?? 96}:rate=${video.fps}`],
    ...['-frames:v', String(video.frames), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'mpegts'],
    file,
  ]);
  return file;
}
