import { getModelSpec, chooseModels } from '../domain/catalogue';
import type { GenerateClipInput } from '../domain/types';

export function clipWorkflowId(jobId: string, clipIndex: number): string {
  return `clip-${jobId}-${clipIndex}`;
}

/**
 * Start options for one clip, shared by the CLI, the demo and parent workflows: the business workflow id
 * and a summary that makes the clip readable in the Temporal Web UI's list.
 */
export function clipWorkflowOptions(input: GenerateClipInput, taskQueue: string) {
  const { jobId, clip } = input;
  const models = chooseModels(input);
  const primary = getModelSpec(models.primary);
  const prompt = clip.prompt.length > 60 ? `${clip.prompt.slice(0, 57)}...` : clip.prompt;
  return {
    workflowId: clipWorkflowId(jobId, clip.clipIndex),
    taskQueue,
    args: [input] as [GenerateClipInput],
    staticSummary: `Clip ${clip.clipIndex} of job ${jobId.slice(0, 8)} · ${primary.id} · ${clip.duration} s`,
    staticDetails: [
      `**Prompt:** ${prompt}`,
      `**Job:** ${jobId}`,
      `**Target duration:** ${clip.duration} s`,
      `**Models:** ${models.primary}${models.fallback ? ` (fallback ${models.fallback})` : ''}`,
      clip.imageUrl ? `**First frame:** ${clip.imageUrl}` : '**First frame:** none (text to video)',
    ].join('\n\n'),
  };
}
