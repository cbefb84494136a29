export { generateClipWorkflow, progressQuery } from './generate-clip';
export { toFailedClip } from './failures';
