import type { ClipgenConfig } from '../config';
import type { GenerateClipInput } from '../domain/types';

/**
 * The configured poll interval, deadline and start limit (CLIP_POLL_INTERVAL, CLIP_DEADLINE, CLIP_START_LIMIT) for
 * the clips the CLI starts.
 */
export function clipDefaults(
  config: ClipgenConfig,
): Pick<GenerateClipInput, 'pollInterval' | 'deadline' | 'startLimit'> {
  return {
    ...(config.clip.pollInterval !== null ? { pollInterval: config.clip.pollInterval } : {}),
    ...(config.clip.deadline !== null ? { deadline: config.clip.deadline } : {}),
    ...(config.clip.startLimit !== null ? { startLimit: config.clip.startLimit } : {}),
  };
}
