import { setHandler } from '@temporalio/workflow';
import { isTerminalStatus, type PredictionSnapshot } from '../domain/types';
import { predictionUpdatedSignal } from './signals';

/**
 * The terminal snapshots webhooks have delivered, by prediction id. Webhooks may arrive early, late, twice or
 * never: only terminal ones are kept, and the wait loop still polls as a safety net.
 */
export class PredictionUpdates {
  private readonly terminal = new Map<string, PredictionSnapshot>();

  /** `onUpdate` sees every webhook (e.g. `start`'s `processing`), so progress shows it without a poll. */
  listen(onUpdate: (snapshot: PredictionSnapshot) => void = () => undefined): this {
    setHandler(predictionUpdatedSignal, (snapshot) => {
      if (isTerminalStatus(snapshot.status)) this.terminal.set(snapshot.id, snapshot);
      onUpdate(snapshot);
    });
    return this;
  }

  terminalOf(predictionId: string): PredictionSnapshot | undefined {
    return this.terminal.get(predictionId);
  }
}
