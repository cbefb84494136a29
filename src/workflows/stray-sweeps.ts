import { CancellationScope, log } from '@temporalio/workflow';
import type { CreatedPrediction, CreateIdentity, SweepStrayPredictionsInput } from '../activities/contracts';
import { isTerminalStatus, type PredictionSnapshot } from '../domain/types';
import { sweepStrayPredictions } from './activity-proxies';
import { failureMessageOf } from './failures';
import type { ProgressTracker } from './progress-tracker';

/** Books a stray's cost to the clip it was made for (ClipBudget.book with that branch's estimate). */
export type StrayBooking = (stray: PredictionSnapshot) => Promise<unknown>;

interface RunningSweep {
  booking: StrayBooking;
  strays: Promise<PredictionSnapshot[]>;
}

/**
 * A create attempt that got no answer may still become a prediction, after the retry's lookup or after the clip
 * stopped waiting for it: a second (or unwatched) billed prediction. Each create that may have left one gets a
 * sweep that cancels such strays while they can still appear; the clip ends only after every sweep has, booking
 * what the strays cost.
 */
export class StraySweeps {
  private readonly running: RunningSweep[] = [];

  constructor(private readonly progress: ProgressTracker) {}

  /** Starts a sweep for this create unless its activity knows no stray can exist. Not cancellable. */
  start(created: CreatedPrediction, create: CreateIdentity, booking: StrayBooking): void {
    const watch = created.strayWatch;
    if (!watch) return;
    this.launch(
      { create, keepId: created.id, watch },
      booking,
      `sweep for strays of the retried create (keeping ${created.id})`,
    );
  }

  /**
   * Starts a sweep for a create that never returned (the clip was cancelled, or the create's retries ran out),
   * scheduled `lookBackMs` ago: whatever its attempts made is a stray.
   */
  startForAbandoned(create: CreateIdentity, lookBackMs: number, booking: StrayBooking): void {
    this.launch(
      { create, keepId: null, watch: { lookBackMs } },
      booking,
      'sweep for predictions of the abandoned create',
    );
  }

  private launch(input: SweepStrayPredictionsInput, booking: StrayBooking, summary: string): void {
    const strays = CancellationScope.nonCancellable(() =>
      sweepStrayPredictions.executeWithOptions({ summary }, [input]),
    ).catch((err: unknown) => {
      log.error('Could not sweep for stray predictions', {
        keptPredictionId: input.keepId,
        error: failureMessageOf(err),
      });
      return [];
    });
    this.running.push({ booking, strays });
  }

  /**
   * Waits for every sweep, then books each stray that ran; also when the clip is being cancelled. A clip ends only
   * after this, once no stray prediction of its creates can still appear or run unbooked.
   */
  async finish(): Promise<void> {
    if (this.running.length === 0) return;
    this.progress.set({ phase: 'sweeping-strays' });
    await CancellationScope.nonCancellable(async () => {
      for (const { booking, strays } of this.running.splice(0)) {
        for (const stray of await strays) await bookStray(booking, stray);
      }
    });
  }
}

async function bookStray(book: StrayBooking, stray: PredictionSnapshot): Promise<void> {
  if (!isTerminalStatus(stray.status)) {
    log.error('A stray prediction did not stop after cancelling; `clipgen reconcile` will show its cost', {
      predictionId: stray.id,
      status: stray.status,
    });
    return;
  }
  try {
    await book(stray);
  } catch (err) {
    log.error('Could not book the cost of a stray prediction', {
      predictionId: stray.id,
      error: failureMessageOf(err),
    });
  }
}
