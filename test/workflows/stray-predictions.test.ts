/**
 * A create Replicate carries out only after our request timed out: the retry's lookup runs before that prediction
 * exists, so the retry creates a second one. The workflow must cancel the stray and book what it cost; and it must
 * not sweep at all when no earlier attempt can have made a prediction.
 */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { ClipActivities } from '../../src/activities';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { addUsd } from '../../src/domain/money';
import type { GenerateClipInput } from '../../src/domain/types';
import type { generateClipWorkflow } from '../../src/workflows';
import { countHistory } from '../helpers/history-counts';
import { useClipHarness } from './harness';
import { impatientReplicate } from './impatient-replicate';

jest.setTimeout(60_000);

/** Longer than the 1 s request timeout plus the retry's lookup: the first create lands after the retry made one. */
const LATE_CREATE_MS = 2500;

const harness = useClipHarness();

/**
 * Impatient Replicate activities where, once a retried create has returned, the next prediction the simulator
 * makes (the late first attempt) keeps running like a real model would, rather than finishing in 50 ms.
 */
function lateCreateKeepsRunning(): Partial<ClipActivities> {
  const impatient = impatientReplicate(harness);
  return {
    ...impatient,
    async createPrediction(input) {
      const created = await impatient.createPrediction!(input);
      if (Context.current().info.attempt > 1) harness.simulator.faults.add({ kind: 'never-finish' });
      return created;
    },
  };
}

async function runClip(input: GenerateClipInput, wrap: () => Partial<ClipActivities>, historyName?: string) {
  const before = harness.simulator.predictions().length;
  const clip = historyName ? await harness.runAndRecord(input, historyName, wrap) : await harness.run(input, wrap);
  const handle = harness.env.client.workflow.getHandle(clipWorkflowOptions(input, '').workflowId);
  return {
    clip,
    made: harness.simulator.predictions().slice(before),
    history: await countHistory(handle),
    rows: await harness.ledger.listClipCosts(input.jobId),
    job: await harness.ledger.getJob(input.jobId),
  };
}

describe.each([
  ['without webhooks (matched on the input)', false],
  ['with webhooks (matched on the token)', true],
])('a create answered after the request timeout, %s', (_name, webhooks) => {
  it('the stray it leaves is cancelled and booked; the clip is the retry’s prediction', async () => {
    if (webhooks) await harness.enableWebhooks();
    harness.simulator.faults.add({ kind: 'delay', ms: LATE_CREATE_MS, route: 'create' });
    const input = harness.input({ duration: 4.5 });

    const historyName = webhooks ? undefined : 'stray-swept';
    const { clip, made, history, rows, job } = await runClip(input, lateCreateKeepsRunning, historyName);

    expect(clip.status).toBe('success');
    expect(made).toHaveLength(2);
    const stray = made.find((prediction) => prediction.id !== clip.predictionId)!;
    expect(made.find((prediction) => prediction.id === clip.predictionId)?.status).toBe('succeeded');
    expect(stray.status).toBe('canceled');
    expect(harness.simulator.stats().running).toBe(0);
    expect(history.activities.sweepStrayPredictions).toBe(1);

    // Replicate bills the stray for the time it ran: its row sits beside the clip's, and the job's total holds both.
    expect(rows.map((row) => row.predictionId).sort()).toEqual([clip.predictionId, stray.id].sort());
    expect(rows.find((row) => row.predictionId === clip.predictionId)?.amountUsd).toBe(clip.cost);
    expect(job?.totalCost).toBe(rows.map((row) => row.amountUsd).reduce(addUsd));
  });
});

it.each([
  ['429 on create (refused: nothing was made)', { kind: 'http-error', status: 429, retryAfter: 1 } as const],
  ['500 on create (answered: the retry’s lookup sees whatever it made)', { kind: 'http-error', status: 500 } as const],
  ['lost create response (the retry adopts what it made)', { kind: 'lose-response' } as const],
])('no sweep after a retried create that cannot have left a stray: %s', async (_name, fault) => {
  harness.simulator.faults.add(fault);
  const input = harness.input({ duration: 4.5 });

  const { clip, made, history } = await runClip(input, () => ({}));

  expect(clip.status).toBe('success');
  expect(made.map((prediction) => prediction.id)).toEqual([clip.predictionId]);
  expect(history.activities.createPrediction).toBe(1);
  expect(history.activityAttempts).toBeGreaterThan(Object.values(history.activities).reduce((a, b) => a + b));
  expect(history.activities.sweepStrayPredictions).toBeUndefined();
});

it('a clip cancelled while its create is in flight cancels the prediction that create makes, and books it', async () => {
  // The create reaches Replicate but is answered only after the cancel; the prediction would run until Cancel-After.
  harness.simulator.faults.add([{ kind: 'delay', ms: 1500, route: 'create' }, { kind: 'never-finish' }]);
  const before = harness.simulator.predictions().length;
  const creates = () => harness.simulator.stats().requests['POST /v1/predictions'] ?? 0;
  const createsBefore = creates();
  const { worker, taskQueue } = await harness.worker();
  const input = harness.input({ duration: 4.5 });

  const outcome = await worker.runUntil(async () => {
    const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, taskQueue),
    );
    while (creates() === createsBefore) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await handle.cancel();
    const error = await handle.result().then(
      () => null,
      (err: unknown) => err,
    );
    return { error, history: await countHistory(handle) };
  });

  expect((outcome.error as WorkflowFailedError | null)?.cause).toBeInstanceOf(CancelledFailure);
  const made = harness.simulator.predictions().slice(before);
  expect(made.map((prediction) => prediction.status)).toEqual(['canceled']);
  expect(harness.simulator.stats().running).toBe(0);
  expect(outcome.history.activities.sweepStrayPredictions).toBe(1);
  expect((await harness.ledger.listClipCosts(input.jobId)).map((row) => row.predictionId)).toEqual([made[0].id]);
  expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
});
