/**
 * Every prediction Replicate bills is booked exactly once, whatever happens to the clip afterwards: its output
 * missing, truncated, not a video or too large, storage refusing it, the ledger down for longer than any fixed
 * number of retries.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import type { ClipBookings, GenerateClipInput } from '../../src/domain/types';
import { getModelSpec, planClip } from '../../src/domain/catalogue';
import { FailureType, clipFailure } from '../../src/domain/failures';
import { reservationUsd } from '../../src/domain/pricing';
import type { CostLedger } from '../../src/ledger/types';
import type { StorageClient } from '../../src/storage/types';
import type { generateClipWorkflow } from '../../src/workflows';
import { progressQuery } from '../../src/workflows/signals';
import { eventuallyAsync } from '../helpers/eventually';
import { useClipHarness, type ClipHarness } from './harness';
import { workflowFailureOf } from '../helpers/failures';

jest.setTimeout(120_000);

const harness = useClipHarness();

function bookingsOf(failure: ApplicationFailure): ClipBookings | undefined {
  const details = (failure.details ?? []) as Array<{ bookings?: ClipBookings }>;
  return details.find((detail) => detail.bookings)?.bookings;
}

/** The clip's failed output left exactly one booked, succeeded prediction, and no reservation behind. */
async function expectBookedOnce(input: GenerateClipInput, failure: ApplicationFailure): Promise<void> {
  const rows = await harness.ledger.listClipCosts(input.jobId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ predictionStatus: 'succeeded', source: 'actual' });
  expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(rows[0].amountUsd);
  expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  expect(bookingsOf(failure)).toEqual({
    totalUsd: rows[0].amountUsd,
    predictions: [
      { predictionId: rows[0].predictionId, model: 'svd', status: 'succeeded', amountUsd: rows[0].amountUsd },
    ],
  });
}

describe('a succeeded prediction whose output then fails is booked', () => {
  it.each([
    ['is not found', 'output-404', FailureType.Generation],
    ['is not a video', 'output-not-video', FailureType.Generation],
    // A cut transfer is a network failure: retried, then given up as such.
    ['is truncated on every try', 'output-truncated', FailureType.Retryable],
  ] as const)('when its output %s', async (_, kind, type) => {
    harness.simulator.faults.add({ kind, times: 'always' });
    const input = harness.input();

    const failure = await workflowFailureOf(harness.run(input));

    expect(failure.type).toBe(type);
    await expectBookedOnce(input, failure);
  });

  it('when its output is larger than DOWNLOAD_MAX_BYTES', async () => {
    const input = harness.input();
    const failure = await workflowFailureOf(
      harness.run(input, () => ({
        fetchProbeStore: createActivities({ ...harness.deps, download: { ...harness.deps.download, maxBytes: 1_000 } })
          .fetchProbeStore,
      })),
    );

    expect(failure.message).toMatch(/1000|1,000|larger|limit/i);
    await expectBookedOnce(input, failure);
  });

  it('when storage refuses it (401)', async () => {
    const refusing: StorageClient = {
      ...(harness.deps.storage as StorageClient),
      kind: 'local',
      bucket: 'video-clips',
      put: async () => {
        throw clipFailure(FailureType.Authentication, 'Storage answered 401: invalid service role key');
      },
      stat: async () => null,
    };
    const input = harness.input();

    const failure = await workflowFailureOf(
      harness.run(input, () => ({
        fetchProbeStore: createActivities({ ...harness.deps, storage: refusing }).fetchProbeStore,
      })),
    );

    expect(failure.type).toBe(FailureType.Authentication);
    await expectBookedOnce(input, failure);
  });
});

/** A ledger whose bookings fail like an unreachable database until `up()`. */
function ledgerDownForBookings(ledger: CostLedger) {
  let down = true;
  let refused = 0;
  const flaky: CostLedger = {
    ...ledger,
    bookClipCost: async (entry) => {
      if (down) {
        refused += 1;
        throw clipFailure(FailureType.Retryable, 'Could not book the cost: connect ECONNREFUSED 127.0.0.1:5432');
      }
      return ledger.bookClipCost(entry);
    },
  };
  return { ledger: flaky, up: () => (down = false), refused: () => refused };
}

async function startClip(h: ClipHarness, input: GenerateClipInput, taskQueue: string) {
  return h.env.client.workflow.start<typeof generateClipWorkflow>(
    'generateClipWorkflow',
    clipWorkflowOptions(input, taskQueue),
  );
}

it('a booking outlasts a ledger outage with no attempt limit, visibly, and books once', async () => {
  const outage = ledgerDownForBookings(harness.ledger);
  const { worker, taskQueue } = await harness.worker(() => ({
    recordClipCost: createActivities({ ...harness.deps, ledger: outage.ledger }).recordClipCost,
  }));
  const input = harness.input();

  const { clip, retryPolicy } = await worker.runUntil(async () => {
    const handle = await startClip(harness, input, taskQueue);
    // Retries back off in real time (1, 2, 4, 8 s): the 5th attempt is the first to raise the operator alert.
    await eventuallyAsync(async () => outage.refused() >= 5, 60_000);
    expect((await handle.query(progressQuery)).phase).toBe('recording-cost');
    const { raw } = await handle.describe();
    const pending = raw.pendingActivities?.find((activity) => activity.activityType?.name === 'recordClipCost');
    expect(pending?.attempt).toBeGreaterThanOrEqual(5);
    expect(pending?.lastFailure?.message).toContain('ECONNREFUSED');
    outage.up();
    const result = await handle.result();
    const history = await handle.fetchHistory();
    const scheduled = history.events?.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'recordClipCost',
    );
    return { clip: result, retryPolicy: scheduled?.activityTaskScheduledEventAttributes?.retryPolicy };
  });

  // No attempt limit (0 means unlimited): only the ledger answering ends the retries.
  expect(retryPolicy?.maximumAttempts ?? 0).toBe(0);
  expect(clip.status).toBe('success');
  const rows = await harness.ledger.listClipCosts(input.jobId);
  expect(rows.map((row) => row.predictionId)).toEqual([clip.predictionId]);
  expect(clip.bookings).toEqual({
    totalUsd: clip.cost,
    predictions: [{ predictionId: clip.predictionId, model: clip.model, status: 'succeeded', amountUsd: clip.cost }],
  });
  expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(clip.cost);
});

describe('a budget bounds what a clip can spend', () => {
  it("a prediction stopped by its Cancel-After is billed no more than the clip's reservation", async () => {
    // A prediction that starts at once may run until Replicate cancels it at its Cancel-After (SVD: its 600 s start
    // limit + 120 s deadline + 30 s), e.g. when no worker is left to cancel it: that is what the clip reserves.
    const svd = getModelSpec('svd');
    const cancelAfter = svd.startLimitSeconds + svd.deadlineSeconds + 30;
    harness.simulator.faults.add({ kind: 'long-run', seconds: cancelAfter + 250, model: 'svd', times: 'always' });
    const input = harness.input();
    const budget = reservationUsd('svd', planClip('svd', input.clip).plannedDuration, cancelAfter, {});
    await harness.ledger.ensureJob(input.jobId, budget);

    const failure = await workflowFailureOf(harness.run(input));

    expect(failure.type).toBe(FailureType.Generation);
    const rows = await harness.ledger.listClipCosts(input.jobId);
    expect(rows).toEqual([expect.objectContaining({ predictionStatus: 'canceled', predictTimeSeconds: cancelAfter })]);
    expect(Number(rows[0].amountUsd)).toBeLessThanOrEqual(Number(budget));
    expect(Number(rows[0].amountUsd)).toBeGreaterThan(Number(budget) * 0.99);
    expect(bookingsOf(failure)?.totalUsd).toBe(rows[0].amountUsd);
  });
});
