import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PredictionSnapshot } from '../domain/types';
import { predictionUpdatedSignal } from '../workflows/signals';

export type SignalOutcome = 'signalled' | 'no-workflow';

/**
 * Signals the clip's workflow (its current run) with the prediction. A workflow that has closed or never existed
 * has nothing left to wake: 'no-workflow'. Any other failure, including no answer within `timeoutMs`, throws.
 */
export async function signalPredictionUpdate(
  client: Pick<Client, 'workflow' | 'withDeadline'>,
  workflowId: string,
  snapshot: PredictionSnapshot,
  timeoutMs: number,
): Promise<SignalOutcome> {
  try {
    await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.getHandle(workflowId).signal(predictionUpdatedSignal, snapshot),
    );
    return 'signalled';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'no-workflow';
    throw error;
  }
}
