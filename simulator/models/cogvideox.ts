import { REPLICATE_REFS } from '../../src/domain/replicate-refs';
import type { SimulatedModel } from './model';

const ref = REPLICATE_REFS.cogvideox;

export const cogVideoX: SimulatedModel = {
  key: 'cogvideox',
  owner: ref.owner,
  name: ref.name,
  official: false,
  versionId: ref.version ?? '',
  description: 'CogVideoX-5B text-to-video: always 49 frames at 8 fps, 720x480.',
  schema: {
    required: ['prompt'],
    properties: {
      prompt: { type: 'string', description: 'Input prompt' },
      extend_prompt: { type: 'boolean', default: true, description: 'Let GLM-4 extend the prompt' },
      steps: { type: 'integer', minimum: 1, maximum: 120, default: 50, description: 'Number of inference steps' },
      guidance: { type: 'number', minimum: 0, maximum: 12, default: 6, description: 'Classifier-free guidance' },
      num_outputs: {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'Number of videos (only the first is exported)',
      },
      seed: { type: 'integer', default: 42, description: 'Random seed' },
    },
  },
  plan() {
    return { ok: true, render: { frames: 49, fps: 8, size: () => ({ width: 720, height: 480 }), fit: 'pad' } };
  },
};
