import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ClipProgress } from '../domain/progress';
import { isTerminalStatus, type PredictionSnapshot } from '../domain/types';

/** Sent by the webhook receiver with the prediction Replicate posted (signature already verified). */
export const predictionUpdatedSignal = defineSignal<[PredictionSnapshot]>('predictionUpdated');

/** Phase, model, prediction id and status, polls, elapsed time, fallback used, last error. */
export const progressQuery = defineQuery<ClipProgress>('progress');

/**
 * The terminal snapshots Replicate's webhooks delivered (as `predictionUpdated` signals), by prediction id. Webhooks
 * may arrive early, late, twice or never: only terminal ones are kept, and the wait loop still polls as a safety net.
 */
export class WebhookSnapshots {
  private readonly terminal = new Map<string, PredictionSnapshot>();

  record(snapshot: PredictionSnapshot): void {
    if (isTerminalStatus(snapshot.status)) this.terminal.set(snapshot.id, snapshot);
  }

  terminalOf(predictionId: string): PredictionSnapshot | undefined {
    return this.terminal.get(predictionId);
  }
}
