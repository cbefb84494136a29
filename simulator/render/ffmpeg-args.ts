export interface RenderJob {
  frames: number;
  fps: number;
  width: number;
  height: number;
  /** First frame; without it a moving test pattern is rendered. */
  imagePath?: string;
  fit: 'stretch' | 'pad';
}

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/**
 * ffmpeg arguments for an H.264/yuv420p MP4 with exactly `frames` frames at `fps`. With an image, frame 0
 * is the image itself and a small marker moves across the later frames, so the frames differ like a video's.
 */
export function renderArgs(job: RenderJob, outputPath: string): string[] {
  const size = `${job.width}x${job.height}`;
  const common = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  const encode = [
    '-frames:v',
    String(job.frames),
    '-r',
    String(job.fps),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-an',
    '-f',
    'mp4',
    outputPath,
  ];
  if (!job.imagePath) {
    return [...common, '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${job.fps}`, ...encode];
  }
  const marker = even(job.height / 8);
  const placeImage =
    job.fit === 'stretch'
      ? `scale=${job.width}:${job.height}`
      : `scale=${job.width}:${job.height}:force_original_aspect_ratio=decrease,` +
        `pad=${job.width}:${job.height}:(ow-iw)/2:(oh-ih)/2`;
  const filter =
    `[0:v]${placeImage},setsar=1,format=yuv420p[bg];` +
    `[bg][1:v]overlay=x='mod(n*${marker},W-w)':y=${marker}:enable='gte(n,1)',format=yuv420p[v]`;
  return [
    ...common,
    '-loop',
    '1',
    '-framerate',
    String(job.fps),
    '-i',
    job.imagePath,
    '-f',
    'lavfi',
    '-i',
    `color=c=white:s=${marker}x${marker}:r=${job.fps}`,
    '-filter_complex',
    filter,
    '-map',
    '[v]',
    ...encode,
  ];
}

/** Scales a model's frame size for fast tests, keeping both sides even (yuv420p needs that). */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: even(width * scale), height: even(height * scale) };
}
