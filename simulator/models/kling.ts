import { REPLICATE_REFS } from '../../src/domain/replicate-refs';
import { officialVersionId, type SimulatedModel } from './model';

const ref = REPLICATE_REFS['kling-v2.1'];

/**
 * The variant metric a succeeded prediction reports beside video_output_duration_seconds, as the real official video
 * prediction we have seen does (`resolution_target`): 720p for standard mode, 1080p for pro. `input` as sent, so
 * a missing mode is the schema's default (standard).
 */
export function klingVariantMetrics(input: Record<string, unknown>): { resolution_target: string } {
  return { resolution_target: input.mode === 'pro' ? '1080p' : '720p' };
}

export const klingV21: SimulatedModel = {
  key: 'kling-v2.1',
  owner: ref.owner,
  name: ref.name,
  official: true,
  versionId: officialVersionId(ref.owner, ref.name),
  description: 'Kling v2.1 image-to-video: 5 or 10 s at 24 fps, 720p (standard) or 1080p (pro).',
  schema: {
    required: ['prompt', 'start_image'],
    properties: {
      prompt: { type: 'string', description: 'Text prompt for video generation' },
      negative_prompt: { type: 'string', default: '', description: 'Things you do not want to see in the video' },
      start_image: { type: 'string', format: 'uri', description: 'First frame of the video' },
      end_image: { type: 'string', format: 'uri', description: 'Last frame of the video (pro mode only)' },
      mode: {
        type: 'string',
        enum: ['standard', 'pro'],
        default: 'standard',
        description: 'standard: 720p, pro: 1080p',
      },
      duration: { type: 'integer', enum: [5, 10], default: 5, description: 'Duration of the video in seconds' },
    },
  },
  plan(input) {
    const pro = input.mode === 'pro';
    if (input.end_image !== undefined && !pro) {
      return { ok: false, error: 'end_image is only supported in pro mode' };
    }
    const seconds = Number(input.duration);
    const size = pro ? { width: 1920, height: 1080 } : { width: 1280, height: 720 };
    return {
      ok: true,
      videoOutputDurationSeconds: seconds,
      render: { frames: seconds * 24, fps: 24, imageUrl: String(input.start_image), size: () => size, fit: 'pad' },
    };
  },
};
