import { createHash } from 'node:crypto';
import type { InputSchema } from './schema';

export interface FrameSize {
  width: number;
  height: number;
}

/** What the model's predict() would produce: exact frame count, rate and size, and its first frame. */
export interface RenderRequest {
  frames: number;
  fps: number;
  /** The image the first frame shows, when the model takes one. */
  imageUrl?: string;
  /** Output size, given the input image's size (null when there is none or it could not be read). */
  size(image: FrameSize | null): FrameSize;
  /** 'stretch' resizes the image to the output size (SVD); 'pad' letterboxes it. */
  fit: 'stretch' | 'pad';
}

export type PlannedRun =
  | { ok: true; render: RenderRequest; videoOutputDurationSeconds?: number }
  /** The model accepts the input but its predict() raises: the prediction fails with this error. */
  | { ok: false; error: string };

export interface SimulatedModel {
  /** Catalogue key (src/domain/types.ts ModelId). */
  key: string;
  owner: string;
  name: string;
  /** Official models run by name through POST /models/{owner}/{name}/predictions. */
  official: boolean;
  versionId: string;
  description: string;
  schema: InputSchema;
  /** From the validated input with defaults applied. */
  plan(input: Record<string, unknown>): PlannedRun;
}

export function modelName(model: SimulatedModel): string {
  return `${model.owner}/${model.name}`;
}

/** Official models have versions too; the API hides them on runs ("hidden") but lists the latest. */
export function officialVersionId(owner: string, name: string): string {
  return createHash('sha256').update(`clipgen-simulator:${owner}/${name}`).digest('hex');
}
