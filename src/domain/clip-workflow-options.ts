import { getModelSpec, chooseModels } from './catalogue';
import { canonicalJobId, clipWorkflowId, CLIP_INDEX, CLIP_JOB_ID, CLIP_MODEL } from './clip-identity';
import { shortenText } from './text';
import type { GenerateClipInput } from './types';

/** How much of the prompt the Web UI's details show. */
const PROMPT_PREVIEW_CHARACTERS = 60;

export interface ClipStartOptions {
  /**
   * Set the ClipJobId, ClipIndex and ClipModel search attributes at start (free, unlike upserts), so operators can
   * list a job's clips. Only for clusters where they are registered: starting fails otherwise.
   */
  searchAttributes?: boolean;
}

/**
 * Start options for one clip, shared by the CLI, the demo and parent workflows: the business workflow id
 * and a summary that makes the clip readable in the Temporal Web UI's list.
 */
export function clipWorkflowOptions(input: GenerateClipInput, taskQueue: string, options: ClipStartOptions = {}) {
  const { clip } = input;
  const jobId = canonicalJobId(input.jobId);
  const models = chooseModels(input);
  const primary = getModelSpec(models.primary);
  const prompt = shortenText(clip.prompt, PROMPT_PREVIEW_CHARACTERS);
  return {
    workflowId: clipWorkflowId(jobId, clip.clipIndex),
    taskQueue,
    args: [{ ...input, jobId }] as [GenerateClipInput],
    staticSummary: `Clip ${clip.clipIndex} of job ${jobId.slice(0, 8)} · ${primary.id} · ${clip.duration} s`,
    staticDetails: [
      `**Prompt:** ${prompt}`,
      `**Job:** ${jobId}`,
      `**Target duration:** ${clip.duration} s`,
      `**Models:** ${models.primary}${models.fallback ? ` (fallback ${models.fallback})` : ''}`,
      clip.imageUrl ? `**First frame:** ${clip.imageUrl}` : '**First frame:** none (text to video)',
    ].join('\n\n'),
    ...(options.searchAttributes
      ? {
          typedSearchAttributes: [
            { key: CLIP_JOB_ID, value: jobId },
            { key: CLIP_INDEX, value: clip.clipIndex },
            { key: CLIP_MODEL, value: models.primary },
          ],
        }
      : {}),
  };
}
