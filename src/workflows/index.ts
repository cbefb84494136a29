export { generateClipWorkflow } from './generate-clip';
export { predictionUpdatedSignal, progressQuery } from './signals';
export { toFailedClip } from './failures';
export {
  generateClipsWorkflow,
  ALREADY_RUNNING,
  type GenerateClipsInput,
  type GenerateClipsResult,
} from './generate-clips-parent';
