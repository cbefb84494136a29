import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ClipProgress } from '../domain/progress';
import type { PredictionSnapshot } from '../domain/types';

/** Sent by the webhook receiver with the prediction Replicate posted (signature already verified). */
export const predictionUpdatedSignal = defineSignal<[PredictionSnapshot]>('predictionUpdated');

/** Phase, model, prediction id and status, polls, elapsed time, fallback used, last error. */
export const progressQuery = defineQuery<ClipProgress>('progress');
