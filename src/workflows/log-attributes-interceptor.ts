/**
 * Workflow interceptor module (runs inside the workflow sandbox): puts the clip's jobId and clipIndex on the
 * workflow's log lines. Given to the bundler (`npm run build`) and to workers that bundle on start.
 */
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { clipLogAttributes } from '../domain/clip-identity';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes: (attributes, next) => {
        const clip = clipLogAttributes(workflowInfo().workflowId);
        return next(clip ? { ...attributes, ...clip } : attributes);
      },
    },
  ],
});
