import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * Job ids are UUIDs, and a UUID's hex digits are case-insensitive: the ledger (a `uuid` column) already reads
 * AAAA… and aaaa… as one job. Everything else that carries the id (workflow ids, storage paths, search attributes)
 * compares text, so every entry point turns it into one canonical form, lowercase, as RFC 9562 writes UUIDs.
 */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** The lowercase form of a UUID job id; anything that is not a UUID is returned as it is, for validation to refuse. */
export function canonicalJobId(jobId: string): string {
  return isJobId(jobId) ? jobId.toLowerCase() : jobId;
}

const CLIP_WORKFLOW_ID = /^clip-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)$/i;

/** The one workflow id of a (job, clip): under the canonical job id, so a job id's case never starts a second run. */
export function clipWorkflowId(jobId: string, clipIndex: number): string {
  return `clip-${canonicalJobId(jobId)}-${clipIndex}`;
}

/** A clip's workflow id (`clip-{jobId}-{clipIndex}`) with its job id made canonical; any other id as it is. */
export function canonicalClipWorkflowId(workflowId: string): string {
  const match = CLIP_WORKFLOW_ID.exec(workflowId);
  return match ? `clip-${canonicalJobId(match[1])}-${match[2]}` : workflowId;
}

/** Whether the id has the shape of a clip's workflow id, whatever the case of its job id. */
export function isClipWorkflowId(workflowId: string): boolean {
  return CLIP_WORKFLOW_ID.test(workflowId);
}

export interface ClipLogAttributes {
  jobId: string;
  clipIndex: number;
}

/**
 * The job id and clip index a clip's workflow id (`clip-{jobId}-{clipIndex}`) carries, for log lines; null for any
 * other workflow (a parent, a test's own id).
 */
export function clipLogAttributes(workflowId: string | undefined): ClipLogAttributes | null {
  const match = workflowId ? CLIP_WORKFLOW_ID.exec(workflowId) : null;
  return match ? { jobId: match[1], clipIndex: Number(match[2]) } : null;
}

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
