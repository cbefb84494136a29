import type { ClipPrompt } from '../../src/domain/types';
import type { GenerateClipsInput } from '../../src/workflows';
import type { ClipHarness } from './harness';

/**
 * Image clips (SVD first, CogVideoX as fallback: 4.5 s is within both models' reach), each with its own prompt so
 * no two inputs are identical.
 */
export function imageClips(harness: ClipHarness, count: number): ClipPrompt[] {
  return Array.from({ length: count }, (_, clipIndex) => ({
    clipIndex,
    prompt: `shot ${clipIndex}: a lighthouse in a storm`,
    duration: 4.5,
    imageUrl: harness.imageUrl,
  }));
}

export function parentOptions(input: GenerateClipsInput, taskQueue: string) {
  return { workflowId: `clips-${input.jobId}`, taskQueue, args: [input] as [GenerateClipsInput] };
}

/** Predictions the simulator has made since `before` existed (the tests of one file run one at a time). */
export function predictionsSince(harness: ClipHarness, before: number) {
  return harness.simulator.predictions().slice(before);
}
