import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import { isTerminalStatus, type PredictionSnapshot } from '../../src/domain/types';
import { predictionUpdatedSignal } from '../../src/workflows/signals';

export const receivedQuery = defineQuery<PredictionSnapshot[]>('received');

/** Records every predictionUpdated signal; closes once one reports a terminal status. */
export async function signalRecorderWorkflow(): Promise<void> {
  const received: PredictionSnapshot[] = [];
  setHandler(predictionUpdatedSignal, (snapshot) => {
    received.push(snapshot);
  });
  setHandler(receivedQuery, () => received);
  await condition(() => received.some((snapshot) => isTerminalStatus(snapshot.status)));
}
