import type { ModelId, PredictionSnapshot, PredictionStatus } from '../domain/types';

/** The fields of Replicate's prediction JSON (reference §1) that clipgen reads. */
export interface ReplicatePredictionJson {
  id: string;
  status: string;
  model?: string;
  version?: string;
  input?: Record<string, unknown>;
  output?: unknown;
  error?: unknown;
  metrics?: {
    predict_time?: unknown;
    video_output_duration_seconds?: unknown;
    /** Variant metrics of official models: which of the model's prices applies (see PredictionSnapshot). */
    resolution_target?: unknown;
    model_variant?: unknown;
    motion_mode?: unknown;
    with_audio?: unknown;
  };
  created_at?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  data_removed?: boolean;
  webhook?: string | null;
}

/** What a Replicate prediction id can look like; anything else never reaches a request path. */
export const PREDICTION_ID = /^[A-Za-z0-9_-]{1,100}$/;

const KNOWN_STATUSES: readonly PredictionStatus[] = [
  'starting',
  'processing',
  'succeeded',
  'failed',
  'canceled',
  'aborted',
];

/** Checks the shape of a prediction from the API; throws an Error naming what is wrong. */
export function asPredictionJson(value: unknown): ReplicatePredictionJson {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('Replicate returned no prediction object');
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'string' || !record.id) throw new Error('Replicate returned a prediction without an id');
  if (typeof record.status !== 'string') throw new Error(`Replicate returned prediction ${record.id} without a status`);
  return record as unknown as ReplicatePredictionJson;
}

/** Small, secret-free view of a prediction for workflow history. */
export function toPredictionSnapshot(model: ModelId, value: unknown): PredictionSnapshot {
  const json = asPredictionJson(value);
  return {
    id: json.id,
    model,
    status: statusOf(json.status),
    outputUrl: firstOutputUrl(json.output),
    error: errorText(json.error),
    predictTime: finiteNumber(json.metrics?.predict_time),
    videoOutputDurationSeconds: finiteNumber(json.metrics?.video_output_duration_seconds),
    ...variantMetrics(json.metrics),
    createdAt: json.created_at ?? null,
    startedAt: json.started_at ?? null,
    completedAt: json.completed_at ?? null,
    dataRemoved: json.data_removed === true,
  };
}

type VariantFields = Pick<PredictionSnapshot, 'resolutionTarget' | 'modelVariant' | 'motionMode' | 'withAudio'>;

/** The variant metrics the prediction reports; each only when present, so that snapshots stay small in history. */
function variantMetrics(metrics: ReplicatePredictionJson['metrics']): VariantFields {
  const fields: VariantFields = {};
  const resolutionTarget = text(metrics?.resolution_target);
  const modelVariant = text(metrics?.model_variant);
  const motionMode = text(metrics?.motion_mode);
  if (resolutionTarget !== null) fields.resolutionTarget = resolutionTarget;
  if (modelVariant !== null) fields.modelVariant = modelVariant;
  if (motionMode !== null) fields.motionMode = motionMode;
  if (typeof metrics?.with_audio === 'boolean') fields.withAudio = metrics.with_audio;
  return fields;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A status this code does not know yet is treated as still running; the workflow's deadline bounds the wait. */
function statusOf(status: string): PredictionStatus {
  return (KNOWN_STATUSES as readonly string[]).includes(status) ? (status as PredictionStatus) : 'processing';
}

/** Video models return one URL, either bare or as the first element of a list. */
function firstOutputUrl(output: unknown): string | null {
  if (typeof output === 'string') return output || null;
  if (Array.isArray(output))
    return output.find((item): item is string => typeof item === 'string' && item !== '') ?? null;
  return null;
}

function errorText(error: unknown): string | null {
  if (error === null || error === undefined || error === '') return null;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

function finiteNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
