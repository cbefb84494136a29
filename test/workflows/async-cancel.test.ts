/**
 * Cancel is asynchronous (issue 14, point 4): Replicate may answer a cancel with the prediction still `processing`;
 * it reaches `canceled`, with its final metrics, later, and runs (and bills) until then. Whoever cancels (the
 * deadline, the workflow's own cancellation, the stray sweep) books the final cost, and leaves nothing running.
 *
 * The simulator's `slow-cancel` fault is on its clock, which follows the time-skipping server's (ServerClock): the
 * workflow's checks after its cancel skip ahead as its polls do.
 */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { ClipActivities } from '../../src/activities';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { billedClipCost } from '../../src/domain/billing';
import { addUsd } from '../../src/domain/money';
import type { ModelId } from '../../src/domain/types';
import { toPredictionSnapshot } from '../../src/replicate/snapshot';
import type { PredictionRecord } from '../../simulator';
import type { generateClipWorkflow } from '../../src/workflows';
import { progressQuery } from '../../src/workflows/signals';
import { workflowFailureOf } from '../helpers/failures';
import { useClipHarness } from './harness';
import { impatientReplicate } from './impatient-replicate';
import { ServerClock } from './server-clock';

jest.setTimeout(120_000);

const clock = new ServerClock();
const harness = useClipHarness('time-skipping', { simulator: { now: clock.now } });

/** Longer than the workflow's first checks after a cancel ever waited (5 × 2 s): the cancel lands 15 s later. */
const SLOW_CANCEL_MS = 15_000;

/** What Replicate bills for the prediction as it ended: what must have been booked. */
function finalCostOf(record: PredictionRecord): string {
  return billedClipCost(toPredictionSnapshot(record.modelKey as ModelId, record), '0')?.amountUsd ?? '0.000000';
}

async function expectBookedFinal(jobId: string, record: PredictionRecord | undefined): Promise<void> {
  expect(record?.status).toBe('canceled');
  const row = (await harness.ledger.listClipCosts(jobId)).find((booked) => booked.predictionId === record?.id);
  expect(row).toMatchObject({ predictionStatus: 'canceled', source: 'actual' });
  expect(row?.predictTimeSeconds).toBe(record?.metrics?.predict_time);
  expect(row?.amountUsd).toBe(finalCostOf(record as PredictionRecord));
}

it('the deadline’s cancel: the clip fails with Timeout once the prediction has stopped, its final cost booked', async () => {
  harness.simulator.faults.add([
    { kind: 'never-finish', model: 'svd' },
    { kind: 'slow-cancel', ms: SLOW_CANCEL_MS },
  ]);
  const before = harness.simulator.predictions().length;
  const input = harness.input();

  const failure = await workflowFailureOf(harness.run(input, clock.follow(harness)));

  expect(failure.type).toBe('Timeout');
  const [prediction] = harness.simulator.predictions().slice(before);
  // It ran its 120 s, then on until the cancel landed: all of that is billed, and booked.
  expect(prediction.metrics?.predict_time).toBeGreaterThanOrEqual(120 + SLOW_CANCEL_MS / 1000);
  await expectBookedFinal(input.jobId, prediction);
  expect(harness.simulator.stats().running).toBe(0);
  expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
});

it('the workflow’s cancellation: the prediction is followed until it has stopped, its final cost booked', async () => {
  harness.simulator.faults.add([
    { kind: 'never-finish', model: 'svd' },
    { kind: 'slow-cancel', ms: SLOW_CANCEL_MS },
  ]);
  const before = harness.simulator.predictions().length;
  const input = harness.input();
  const { worker, taskQueue } = await harness.worker(clock.follow(harness));

  const error = await worker.runUntil(async () => {
    const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, taskQueue),
    );
    while ((await handle.query(progressQuery)).predictionId === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await handle.cancel();
    return handle.result().then(
      () => null,
      (err: unknown) => err,
    );
  });

  expect((error as WorkflowFailedError | null)?.cause).toBeInstanceOf(CancelledFailure);
  const [prediction] = harness.simulator.predictions().slice(before);
  expect(prediction.metrics?.predict_time).toBeGreaterThanOrEqual(SLOW_CANCEL_MS / 1000);
  await expectBookedFinal(input.jobId, prediction);
  expect(harness.simulator.stats().running).toBe(0);
  expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
});

it('the stray sweep’s cancel: the stray is followed until it has stopped, its final cost booked', async () => {
  // A create answered after the request timeout leaves a stray beside the retry's prediction (stray-predictions.test).
  // The sweep runs in real time, so this cancel lands 1.5 s later on any clock.
  harness.simulator.faults.add([
    { kind: 'delay', ms: 2500, route: 'create' },
    { kind: 'slow-cancel', ms: 1500 },
  ]);
  const before = harness.simulator.predictions().length;
  const input = harness.input({ duration: 4.5 });
  const follow = clock.follow(harness);

  const clip = await harness.run(input, (activities) => {
    const impatient = { ...activities, ...impatientReplicate(harness) } as ClipActivities;
    return {
      ...impatient,
      ...follow({
        ...impatient,
        async createPrediction(create) {
          const made = await impatient.createPrediction(create);
          // The late first attempt's prediction keeps running, as a real model's would.
          if (Context.current().info.attempt > 1) harness.simulator.faults.add({ kind: 'never-finish' });
          return made;
        },
      }),
    };
  });

  expect(clip.status).toBe('success');
  const made = harness.simulator.predictions().slice(before);
  expect(made).toHaveLength(2);
  const stray = made.find((prediction) => prediction.id !== clip.predictionId);
  expect(stray?.metrics?.predict_time).toBeGreaterThanOrEqual(1.5);
  await expectBookedFinal(input.jobId, stray);
  expect(clip.bookings.totalUsd).toBe(addUsd(clip.cost, finalCostOf(stray as PredictionRecord)));
  expect(harness.simulator.stats().running).toBe(0);
});
