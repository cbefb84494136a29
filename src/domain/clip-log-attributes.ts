const CLIP_WORKFLOW_ID = /^clip-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)$/i;

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
