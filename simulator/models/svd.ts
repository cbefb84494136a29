import { REPLICATE_REFS } from '../../src/domain/replicate-refs';
import type { FrameSize, SimulatedModel } from './model';

const MAX: FrameSize = { width: 1024, height: 576 };
const FRAMES: Record<string, number> = { '14_frames_with_svd': 14, '25_frames_with_svd_xt': 25 };

function floorTo64(value: number): number {
  return Math.max(64, Math.floor(value / 64) * 64);
}

function fitWithinMax(image: FrameSize): FrameSize {
  const scale = Math.min(MAX.width / image.width, MAX.height / image.height);
  return { width: floorTo64(image.width * scale), height: floorTo64(image.height * scale) };
}

/** Output size for cog-svd's sizing strategies: within 1024x576, sides floored to multiples of 64. */
export function svdFrameSize(strategy: string, image: FrameSize | null): FrameSize {
  if (!image || strategy === 'crop_to_16_9') return MAX;
  if (strategy === 'use_image_dimensions') {
    const fits = image.width <= MAX.width && image.height <= MAX.height;
    return fits ? { width: floorTo64(image.width), height: floorTo64(image.height) } : fitWithinMax(image);
  }
  return fitWithinMax(image);
}

const ref = REPLICATE_REFS.svd;

export const stableVideoDiffusion: SimulatedModel = {
  key: 'svd',
  owner: ref.owner,
  name: ref.name,
  official: false,
  versionId: ref.version ?? '',
  description: 'SVD and SVD-XT image-to-video; the video is encoded at frames_per_second + 1.',
  schema: {
    required: ['input_image'],
    properties: {
      input_image: { type: 'string', format: 'uri', description: 'Input image' },
      video_length: {
        type: 'string',
        enum: ['14_frames_with_svd', '25_frames_with_svd_xt'],
        default: '14_frames_with_svd',
        description: 'Use svd to generate 14 frames or svd_xt for 25 frames',
      },
      sizing_strategy: {
        type: 'string',
        enum: ['maintain_aspect_ratio', 'crop_to_16_9', 'use_image_dimensions'],
        default: 'maintain_aspect_ratio',
        description: 'Decide how to resize the input image',
      },
      frames_per_second: {
        type: 'integer',
        minimum: 5,
        maximum: 30,
        default: 6,
        description: 'Frames per second',
      },
      motion_bucket_id: {
        type: 'integer',
        minimum: 1,
        maximum: 255,
        default: 127,
        description: 'Increase overall motion in the generated video',
      },
      cond_aug: { type: 'number', default: 0.02, description: 'Amount of noise to add to input image' },
      decoding_t: { type: 'integer', default: 14, description: 'Number of frames to decode at a time' },
      seed: { type: 'integer', description: 'Random seed. Leave blank to randomize the seed' },
    },
  },
  plan(input) {
    const strategy = String(input.sizing_strategy);
    return {
      ok: true,
      render: {
        frames: FRAMES[String(input.video_length)],
        fps: Number(input.frames_per_second) + 1,
        imageUrl: String(input.input_image),
        size: (image) => svdFrameSize(strategy, image),
        fit: 'stretch',
      },
    };
  },
};
