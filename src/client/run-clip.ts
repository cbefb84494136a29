import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ClipProgress } from '../domain/progress';
import type { Clip, GenerateClipInput } from '../domain/types';
import type { generateClipWorkflow } from '../workflows';
import { clipWorkflowOptions } from './clip-workflow-options';

export interface FollowClipOptions {
  /** Called with the workflow's `progress` query about once a second while the clip runs. */
  onProgress?: (progress: ClipProgress) => void;
  progressIntervalMs?: number;
}

export interface RunClipOptions extends FollowClipOptions {
  client: Client;
  taskQueue: string;
  /** Set the ClipJobId/ClipIndex/ClipModel search attributes at start (registered on the cluster). */
  searchAttributes?: boolean;
  /** Called once the workflow has started, with its id. */
  onStarted?: (workflowId: string) => void;
}

/** Starts one clip's workflow and waits for its result, reporting progress on the way. */
export async function runClip(input: GenerateClipInput, options: RunClipOptions): Promise<Clip> {
  const handle = await options.client.workflow.start<typeof generateClipWorkflow>(
    'generateClipWorkflow',
    clipWorkflowOptions(input, options.taskQueue, { searchAttributes: options.searchAttributes }),
  );
  options.onStarted?.(handle.workflowId);
  return followClip(handle, options);
}

/** Waits for a started clip's result, reporting its progress (a query needs a worker; unanswered ones are skipped). */
export async function followClip(handle: WorkflowHandle, options: FollowClipOptions = {}): Promise<Clip> {
  const { onProgress } = options;
  const report = () => handle.query<ClipProgress>('progress').then(onProgress, () => undefined);
  if (onProgress) void report();
  const timer = onProgress ? setInterval(report, options.progressIntervalMs ?? 1000) : undefined;
  try {
    return (await handle.result()) as Clip;
  } finally {
    if (timer) clearInterval(timer);
  }
}

/**
 * "Type: message" for a failed clip, e.g. "InvalidInput: clip.duration must be ..."; for a start refused because the
 * clip is already running, which workflow that is and how to follow it.
 */
export function describeClipFailure(err: unknown): string {
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return `${err.workflowId} is already running (one run per job and clip); follow it with: clipgen watch ${err.workflowId}`;
  }
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    if (cause) return `${cause.name}: ${cause.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
