import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes that let operators list a job's clips in the Web UI (`ClipJobId = "<uuid>"`).
 * They must be registered on the cluster first (`temporal operator search-attribute create`, or the dev server's
 * `--search-attribute`); the starter sets the first three at start only when they are, and the workflow keeps
 * ClipModel and ClipPhase current only when it was started with them.
 */
export const CLIP_JOB_ID = defineSearchAttributeKey('ClipJobId', SearchAttributeType.KEYWORD);
export const CLIP_INDEX = defineSearchAttributeKey('ClipIndex', SearchAttributeType.INT);
export const CLIP_MODEL = defineSearchAttributeKey('ClipModel', SearchAttributeType.KEYWORD);
export const CLIP_PHASE = defineSearchAttributeKey('ClipPhase', SearchAttributeType.KEYWORD);

export const CLIP_SEARCH_ATTRIBUTES = [CLIP_JOB_ID, CLIP_INDEX, CLIP_MODEL, CLIP_PHASE];
