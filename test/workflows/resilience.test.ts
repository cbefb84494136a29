import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { FailureType, clipFailure } from '../../src/domain/failures';
import { addUsd } from '../../src/domain/money';
import type { generateClipWorkflow } from '../../src/workflows';
import { useClipHarness } from './harness';

jest.setTimeout(120_000);

const harness = useClipHarness();

const SVD = 'stability-ai/stable-video-diffusion';

function created(): number {
  return harness.simulator.stats().predictionsCreated[SVD] ?? 0;
}

describe('retries', () => {
  it.each([429, 503])('waits out Retry-After before creating again after a %s', async (status) => {
    harness.simulator.faults.add({ kind: 'http-error', status, retryAfter: 7 });
    const attemptsStartedAt: number[] = [];

    const clip = await harness.run(harness.input(), (activities) => ({
      createPrediction: async (input) => {
        // The test server's own clock: it skips the 7 s rather than sleeping them.
        attemptsStartedAt.push(await harness.env.currentTimeMs());
        return activities.createPrediction(input);
      },
    }));

    expect(clip.status).toBe('success');
    expect(attemptsStartedAt).toHaveLength(2);
    expect(attemptsStartedAt[1] - attemptsStartedAt[0]).toBeGreaterThanOrEqual(7_000);
    expect(attemptsStartedAt[1] - attemptsStartedAt[0]).toBeLessThan(15_000);
  });

  it.each([
    ['a 500', { kind: 'http-error', status: 500 } as const],
    ['a 503', { kind: 'http-error', status: 503 } as const],
    ['a dropped connection', { kind: 'reset' } as const],
  ])('retries a create that got %s and creates exactly one prediction', async (_name, fault) => {
    harness.simulator.faults.add(fault);
    const before = created();

    const clip = await harness.run(harness.input());

    expect(clip.status).toBe('success');
    expect(created() - before).toBe(1);
  });

  it('retries polls that fail and still completes', async () => {
    harness.simulator.faults.add({ kind: 'http-error', status: 502, route: 'get', times: 2 });

    const clip = await harness.run(harness.input());

    expect(clip.status).toBe('success');
  });

  it('creates the prediction again after a retryable interruption (code: PA)', async () => {
    harness.simulator.faults.add({
      kind: 'prediction-failed',
      model: 'svd',
      error: 'Prediction interrupted; please retry (code: PA)',
    });
    const before = created();
    const input = harness.input();

    const clip = await harness.run(input);

    expect(clip).toMatchObject({ status: 'success', retryCount: 1 });
    expect(created() - before).toBe(2);
    const rows = await harness.ledger.listClipCosts(input.jobId);
    expect(rows.map((row) => row.predictionStatus).sort()).toEqual(['failed', 'succeeded']);
    expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(addUsd(rows[0].amountUsd, rows[1].amountUsd));
  });

  it('books the cost once when recordClipCost is retried after its transaction committed', async () => {
    const input = harness.input();

    const clip = await harness.run(input, (activities) => ({
      recordClipCost: async (args) => {
        const booked = await activities.recordClipCost(args);
        if (Context.current().info.attempt === 1) {
          throw clipFailure(FailureType.Retryable, 'worker lost its connection after the commit');
        }
        return booked;
      },
    }));

    const rows = await harness.ledger.listClipCosts(input.jobId);
    expect(rows).toHaveLength(1);
    expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(clip.cost);
  });
});

describe('deadline and cancellation', () => {
  it('cancels a prediction that never finishes and fails with Timeout, quickly in wall time', async () => {
    harness.simulator.faults.add({ kind: 'never-finish', model: 'svd' });
    const cancelsBefore = harness.simulator.stats().cancels;
    const predictionsBefore = harness.simulator.predictions().length;
    const input = harness.input();
    const startedAt = Date.now();

    const err = await harness.run(input).catch((error: unknown) => error);

    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('Timeout');
    // The 120 s deadline is a durable timer the time-skipping server fast-forwards: well under it in wall time, even on
    // a loaded machine.
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(harness.simulator.stats().cancels - cancelsBefore).toBe(1);
    expect(await harness.stillRunningSince(predictionsBefore)).toEqual([]);
    // Replicate bills the seconds a cancelled prediction ran: they are booked, and the reservation is freed.
    const [row] = await harness.ledger.listClipCosts(input.jobId);
    expect(row).toMatchObject({ predictionStatus: 'canceled', source: 'actual' });
    expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(row.amountUsd);
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  });

  it('cancels the prediction when the workflow is cancelled', async () => {
    harness.simulator.faults.add({ kind: 'never-finish', model: 'svd' });
    const { worker, taskQueue } = await harness.worker();
    const input = harness.input();
    const predictionsBefore = harness.simulator.predictions().length;

    await worker.runUntil(async () => {
      const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
        'generateClipWorkflow',
        clipWorkflowOptions(input, taskQueue),
      );
      while ((await handle.query<{ predictionId: string | null }>('progress')).predictionId === null) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
    });

    const made = harness.simulator.predictions().slice(predictionsBefore);
    expect(made.map((prediction) => prediction.status)).toEqual(['canceled']);
    expect(await harness.stillRunningSince(predictionsBefore)).toEqual([]);
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  });
});
