import type { ModelId } from './types';

/** Where each catalogue model lives on Replicate. Community models are called by pinned version. */
export interface ReplicateRef {
  owner: string;
  name: string;
  /** 64-hex version id for community models; null for official models (called by name). */
  version: string | null;
  official: boolean;
}

export const REPLICATE_REFS: Record<ModelId, ReplicateRef> = {
  // Version ids are the ones common in public code; whether they are
  // the newest is unconfirmed, which is why they are pinned rather than resolved at run time.
  svd: {
    owner: 'stability-ai',
    name: 'stable-video-diffusion',
    version: '3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438',
    official: false,
  },
  cogvideox: {
    owner: 'cuuupid',
    name: 'cogvideox-5b',
    version: '5b14e2c2c648efecc8d36c6353576552f8a124e690587212f8e8bb17ecda3d8c',
    official: false,
  },
  'kling-v2.1': { owner: 'kwaivgi', name: 'kling-v2.1', version: null, official: true },
  'hailuo-02': { owner: 'minimax', name: 'hailuo-02', version: null, official: true },
};

export function replicateModelName(ref: ReplicateRef): string {
  return `${ref.owner}/${ref.name}`;
}
