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
