import { REPLICATE_REFS } from '../../src/domain/replicate-refs';
import { officialVersionId, type FrameSize, type SimulatedModel } from './model';

const ref = REPLICATE_REFS['hailuo-02'];

const SIZES: Record<string, FrameSize> = {
  '512p': { width: 912, height: 512 },
  '768p': { width: 1366, height: 768 },
  '1080p': { width: 1920, height: 1080 },
};

/**
 * The variant metric a succeeded prediction reports beside video_output_duration_seconds, as the real official video
 * prediction we have seen does: `resolution_target`, the resolution rendered. `input` as sent, so a missing resolution
 * is the schema's default (1080p).
 */
export function hailuoVariantMetrics(input: Record<string, unknown>): { resolution_target: string } {
  return { resolution_target: typeof input.resolution === 'string' ? input.resolution : '1080p' };
}

export const hailuo02: SimulatedModel = {
  key: 'hailuo-02',
  owner: ref.owner,
  name: ref.name,
  official: true,
  versionId: officialVersionId(ref.owner, ref.name),
  description: 'Hailuo-02 text/image-to-video: 6 or 10 s at 24 fps (10 s only at 768p).',
  schema: {
    required: ['prompt'],
    properties: {
      prompt: { type: 'string', description: 'Text prompt for generation' },
      duration: { type: 'integer', enum: [6, 10], default: 6, description: 'Duration of the video in seconds' },
      resolution: {
        type: 'string',
        enum: ['512p', '768p', '1080p'],
        default: '1080p',
        description: 'Resolution of the video; 10 s is only available at 768p',
      },
      first_frame_image: { type: 'string', format: 'uri', description: 'First frame of the video' },
      last_frame_image: { type: 'string', format: 'uri', description: 'Last frame of the video' },
      prompt_optimizer: { type: 'boolean', default: true, description: 'Use the prompt optimizer' },
    },
  },
  plan(input) {
    const seconds = Number(input.duration);
    const resolution = String(input.resolution);
    if (seconds === 10 && resolution !== '768p') {
      return { ok: false, error: `10 second videos are only supported at 768p, not ${resolution}` };
    }
    const size = SIZES[resolution];
    const image = input.first_frame_image === undefined ? undefined : String(input.first_frame_image);
    return {
      ok: true,
      videoOutputDurationSeconds: seconds,
      render: { frames: seconds * 24, fps: 24, imageUrl: image, size: () => size, fit: 'pad' },
    };
  },
};
