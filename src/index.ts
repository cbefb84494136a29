/**
 * clipgen's public entry (`import … from 'clipgen'`): what a parent workflow needs to start `generateClipWorkflow`
 * as a child and read what it returns, without deep imports. Safe in workflow code: nothing here touches Node APIs
 * or anything nondeterministic (the README's parent example and test/contract check that it bundles and runs).
 * Parents in other SDKs use schemas/generate-clip-input.json and schemas/clip.json instead.
 */
import type { Clip, GenerateClipInput } from './domain/types';

export type {
  BookedPrediction,
  Clip,
  ClipBookings,
  ClipPrompt,
  DurationLike,
  FailedClip,
  GenerateClipInput,
  GenerationSettings,
  ModelChoice,
  ModelId,
  PredictionStatus,
} from './domain/types';
export { FailureType } from './domain/failures';
export { clipWorkflowId } from './domain/clip-identity';
export { toFailedClip } from './workflows/failures';

/**
 * The type of clipgen's workflow: `executeChild<GenerateClipWorkflow>(GENERATE_CLIP_WORKFLOW_TYPE, …)` types its
 * `args` and its result. A failed clip rejects with a `ChildWorkflowFailure` whose cause is an `ApplicationFailure` of
 * one of the `FailureType`s, with `{ bookings }` as the last element of its `details`.
 */
export type GenerateClipWorkflow = (input: GenerateClipInput) => Promise<Clip>;

/** The workflow type a parent (in any SDK) starts. */
export const GENERATE_CLIP_WORKFLOW_TYPE = 'generateClipWorkflow';

/**
 * The task queue clipgen's workers poll unless `TEMPORAL_TASK_QUEUE` says otherwise. A parent running on its own task
 * queue must name it when it starts a clip: a child started without `taskQueue` goes to the parent's queue.
 */
export const DEFAULT_TASK_QUEUE = 'video-generator';
