import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import type { GenerateClipInput } from '../../src/domain/types';
import type { Simulator } from '../../simulator';
import type { generateClipWorkflow } from '../../src/workflows';
import { percentile as percentileOf } from './report';

export type ClipHandle = WorkflowHandle<typeof generateClipWorkflow>;

let seed = 0;

/** A 3 s image-to-video clip on SVD (the default for a clip with a first frame). Each has its own seed. */
export function benchClipInput(imageUrl: string, extra: Partial<GenerateClipInput> = {}): GenerateClipInput {
  seed += 1;
  return {
    jobId: randomUUID(),
    clip: { clipIndex: 0, prompt: 'a lighthouse in a storm, waves breaking', duration: 3, imageUrl },
    settings: { seed },
    ...extra,
  };
}

export function startClip(client: Client, input: GenerateClipInput, taskQueue: string): Promise<ClipHandle> {
  return client.workflow.start<typeof generateClipWorkflow>(
    'generateClipWorkflow',
    clipWorkflowOptions(input, taskQueue),
  );
}

/** When the simulator says each prediction completed (its `completed_at`), in ms since the epoch, by id. */
export function completionTimes(simulator: Simulator): Map<string, number> {
  const times = new Map<string, number>();
  for (const prediction of simulator.predictions()) {
    if (prediction.completed_at) times.set(prediction.id, Date.parse(prediction.completed_at));
  }
  return times;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

const LOOKUP_CONCURRENCY = 50;

/** The failure type a clip failed with (`Timeout` when it missed its deadline). */
export function failureType(error: unknown): string {
  const cause = error instanceof WorkflowFailedError ? error.cause : error;
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  return cause instanceof Error ? cause.name : String(cause);
}

/** completed_at → workflow close, seconds, of each clip that succeeded. */
export async function lagsOf(
  simulator: Simulator,
  handles: ClipHandle[],
  outcomes: PromiseSettledResult<{ predictionId: string }>[],
): Promise<number[]> {
  const completedAt = completionTimes(simulator);
  const lags = await inBatches(handles, LOOKUP_CONCURRENCY, async (handle, index) => {
    const outcome = outcomes[index];
    if (outcome.status !== 'fulfilled') return null;
    const closeTime = (await handle.describe()).closeTime;
    const completed = completedAt.get(outcome.value.predictionId);
    return closeTime && completed !== undefined ? (closeTime.getTime() - completed) / 1000 : null;
  });
  return lags.filter((lag): lag is number => lag !== null);
}

/** Where a clip's time went between its prediction's `completed_at` and its workflow's close, seconds. */
export interface AfterCompletion {
  /** completed_at → the first event after it (the webhook's signal, or the timer or poll that noticed). */
  wake: number;
  /** Scheduled → started: waiting for a free activity slot on a worker. */
  bookingQueue: number;
  /** Started → completed: the ledger transaction. */
  bookingRun: number;
  fetchProbeStoreQueue: number;
  /** Started → completed: the download, ffprobe and the upload. */
  fetchProbeStoreRun: number;
  /** The rest: workflow tasks waiting for a slot and running, between the steps and at the close. */
  workflowTasks: number;
  total: number;
}

type HistoryEvent = NonNullable<Awaited<ReturnType<ClipHandle['fetchHistory']>>['events']>[number];

/** Splits a finished clip's time after `completedAtMs` by its history's event times. */
export async function afterCompletion(handle: ClipHandle, completedAtMs: number): Promise<AfterCompletion | null> {
  const events = (await handle.fetchHistory()).events ?? [];
  const timeOf = (event: HistoryEvent) =>
    Number(event.eventTime?.seconds?.toString() ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
  const closed = events[events.length - 1];
  const woken = events.find((event) => timeOf(event) >= completedAtMs);
  if (!closed || !woken) return null;
  const activity = (type: string) => {
    const scheduled = [...events]
      .reverse()
      .find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === type);
    const started = events.find(
      (event) => String(event.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
    );
    const completed = events.find(
      (event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
    );
    if (!scheduled || !started || !completed) return { queue: NaN, run: NaN };
    return { queue: (timeOf(started) - timeOf(scheduled)) / 1000, run: (timeOf(completed) - timeOf(started)) / 1000 };
  };
  const booking = activity('recordClipCost');
  const stored = activity('fetchProbeStore');
  const total = (timeOf(closed) - completedAtMs) / 1000;
  const wake = (timeOf(woken) - completedAtMs) / 1000;
  return {
    wake,
    bookingQueue: booking.queue,
    bookingRun: booking.run,
    fetchProbeStoreQueue: stored.queue,
    fetchProbeStoreRun: stored.run,
    workflowTasks: total - wake - booking.queue - booking.run - stored.queue - stored.run,
    total,
  };
}

/** Where the lag went, for each finished clip whose prediction's completed_at is known. */
export async function phasesOf(
  finished: { handle: ClipHandle; predictionId: string }[],
  completedAt: Map<string, number>,
): Promise<AfterCompletion[]> {
  const phases = await inBatches(finished, LOOKUP_CONCURRENCY, ({ handle, predictionId }) =>
    afterCompletion(handle, completedAt.get(predictionId) ?? NaN),
  );
  return phases.filter((phase): phase is AfterCompletion => phase !== null);
}

export const PHASES = [
  'wake',
  'bookingQueue',
  'bookingRun',
  'fetchProbeStoreQueue',
  'fetchProbeStoreRun',
  'workflowTasks',
  'total',
] as const satisfies readonly (keyof AfterCompletion)[];

/** Each phase's p-th percentile over the clips (phases taken separately: they need not add up to the total's). */
export function phasePercentile(clips: AfterCompletion[], p: number): AfterCompletion {
  return Object.fromEntries(
    PHASES.map((phase) => [phase, percentileOf(clips.map((clip) => clip[phase]).filter(Number.isFinite), p)]),
  ) as unknown as AfterCompletion;
}

/** The phases' p50 and p95 as table rows, one per phase. */
export function phaseRows(clips: AfterCompletion[]): string[][] {
  const p50 = phasePercentile(clips, 50);
  const p95 = phasePercentile(clips, 95);
  return PHASES.map((phase) => [phase, p50[phase].toFixed(3), p95[phase].toFixed(3)]);
}
