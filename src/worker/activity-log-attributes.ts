import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { clipLogAttributes } from '../domain/clip-log-attributes';

/**
 * Puts the clip's jobId and clipIndex on every log line of its activities (the SDK's own "Activity started/failed"
 * lines and the activities' `log` calls), read from the workflow id, which every activity of a clip shares.
 */
export const activityLogAttributes: ActivityInterceptorsFactory = (ctx) => {
  const clip = clipLogAttributes(ctx.info.workflowExecution?.workflowId);
  return {
    outbound: {
      getLogAttributes: (attributes, next) => next(clip ? { ...attributes, ...clip } : attributes),
    },
  };
};
