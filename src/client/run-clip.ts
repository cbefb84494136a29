import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ClipProgress } from '../domain/progress';
import type { Clip, GenerateClipInput } from '../domain/types';
import type { generateClipWorkflow } from '../workflows';
import { clipWorkflowOptions } from './clip-workflow-options';

export interface RunClipOptions {
  client: Client;
  taskQueue: string;
  /** Called with the workflow's `progress` query about once a second while the clip runs. */
  onProgress?: (progress: ClipProgress) => void;
  progressIntervalMs?: number;
}

/** Starts one clip's workflow and waits for its result, reporting progress on the way. */
export async function runClip(input: GenerateClipInput, options: RunClipOptions): Promise<Clip> {
  const handle = await options.client.workflow.start<typeof generateClipWorkflow>(
    'generateClipWorkflow',
    clipWorkflowOptions(input, options.taskQueue),
  );
  const { onProgress } = options;
  const timer = onProgress
    ? setInterval(() => {
        handle.query<ClipProgress>('progress').then(onProgress, () => undefined);
      }, options.progressIntervalMs ?? 1000)
    : undefined;
  try {
    return await handle.result();
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** "Type: message" for a failed clip, e.g. "InvalidInput: clip.duration must be ...". */
export function describeClipFailure(err: unknown): string {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
    if (cause) return `${cause.name}: ${cause.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
