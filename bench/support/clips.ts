import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import type { GenerateClipInput } from '../../src/domain/types';
import type { Simulator } from '../../simulator';
import type { generateClipWorkflow } from '../../src/workflows';

export type ClipHandle = WorkflowHandle<typeof generateClipWorkflow>;

let seed = 0;

/** A 3 s image-to-video clip on SVD (the default for a clip with a first frame). Each has its own seed. */
export function benchClipInput(imageUrl: string, extra: Partial<GenerateClipInput> = {}): GenerateClipInput {
  seed += 1;
  return {
    jobId: randomUUID(),
    clip: { clipIndex: 0, prompt: 'a lighthouse in a storm, waves breaking', duration: 3, imageUrl },
    settings: { seed },
    ...extra,
  };
}

export function startClip(client: Client, input: GenerateClipInput, taskQueue: string): Promise<ClipHandle> {
  return client.workflow.start<typeof generateClipWorkflow>(
    'generateClipWorkflow',
    clipWorkflowOptions(input, taskQueue),
  );
}

/** When the simulator says each prediction completed (its `completed_at`), in ms since the epoch, by id. */
export function completionTimes(simulator: Simulator): Map<string, number> {
  const times = new Map<string, number>();
  for (const prediction of simulator.predictions()) {
    if (prediction.completed_at) times.set(prediction.id, Date.parse(prediction.completed_at));
  }
  return times;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}
