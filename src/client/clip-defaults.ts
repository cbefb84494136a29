import type { ClipgenConfig } from '../config';
import type { GenerateClipInput } from '../domain/types';

/** The configured poll interval and deadline (CLIP_POLL_INTERVAL, CLIP_DEADLINE) for the clips the CLI starts. */
export function clipDefaults(config: ClipgenConfig): Pick<GenerateClipInput, 'pollInterval' | 'deadline'> {
  return {
    ...(config.clip.pollInterval !== null ? { pollInterval: config.clip.pollInterval } : {}),
    ...(config.clip.deadline !== null ? { deadline: config.clip.deadline } : {}),
  };
}
