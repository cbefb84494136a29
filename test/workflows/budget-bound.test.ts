/**
 * A budget is a bound, not an estimate: clips reserve what their predictions can cost at most, so parallel clips
 * whose predictions run far past the typical time still never book past it. On a dev server, in real time: on the
 * time-skipping server a clip's deadline could pass while the simulator is still rendering.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { FailureType } from '../../src/domain/failures';
import type { generateClipWorkflow } from '../../src/workflows';
import { useClipHarness } from './harness';

jest.setTimeout(120_000);

const harness = useClipHarness('dev');

it('four parallel clips whose predictions run far past the typical time never book past the budget', async () => {
  // SVD: 0.0014 USD/s, typically 60 s (0.084 USD). Each prediction here runs 100 s: 0.14 USD. With a 5 s start
  // limit, each clip's prediction may run 155 s (its Cancel-After: 5 s to start + 120 s deadline + 30 s margin), so it
  // reserves 0.217 USD, and only two fit in 0.5 USD.
  harness.simulator.faults.add({ kind: 'long-run', seconds: 100, model: 'svd', times: 'always' });
  const jobId = harness.input().jobId;
  await harness.ledger.ensureJob(jobId, '0.5');
  const { worker, taskQueue } = await harness.worker();

  const outcomes = await worker.runUntil(
    Promise.allSettled(
      [0, 1, 2, 3].map(async (clipIndex) => {
        const input = harness.input({ clipIndex }, { jobId, pollInterval: '500ms', startLimit: '5s' });
        return harness.env.client.workflow.execute<typeof generateClipWorkflow>(
          'generateClipWorkflow',
          clipWorkflowOptions(input, taskQueue),
        );
      }),
    ),
  );

  const succeeded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  expect(refused.map((reason) => (reason as WorkflowFailedError).cause)).toEqual(
    refused.map(() => expect.objectContaining({ type: FailureType.BudgetExceeded })),
  );
  expect(succeeded.length).toBeGreaterThanOrEqual(2);
  for (const clip of succeeded) expect(Number(clip.cost)).toBeGreaterThan(0.084);
  const job = await harness.ledger.getJob(jobId);
  expect(Number(job?.totalCost)).toBeLessThanOrEqual(0.5);
  const rows = await harness.ledger.listClipCosts(jobId);
  expect(job?.totalCost).toBe(rows.reduce((sum, row) => sum + Number(row.amountUsd), 0).toFixed(6));
  expect(await harness.ledger.listReservations(jobId)).toEqual([]);
});
