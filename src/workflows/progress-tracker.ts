import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { describeProgress, type ClipPhase, type ClipProgress } from '../domain/progress';
import { CLIP_JOB_ID, CLIP_MODEL, CLIP_PHASE } from '../domain/clip-identity';
import { isTerminalStatus, type PredictionSnapshot, type PredictionStatus } from '../domain/types';

/** Phases worth a search-attribute upsert (each upsert is a billable action, so not every poll). */
const INDEXED_PHASES: ReadonlySet<ClipPhase> = new Set([
  'waiting-for-start',
  'waiting-for-prediction',
  'storing',
  'succeeded',
  'failed',
  'cancelled',
]);

/**
 * Holds the clip's progress for the `progress` query, mirrors it into the Web UI's current details, and keeps
 * the ClipPhase/ClipModel search attributes current when the clip was started with them.
 */
export class ProgressTracker {
  private state: ClipProgress = {
    phase: 'planning',
    branch: 'primary',
    model: null,
    predictionId: null,
    predictionStatus: null,
    polls: 0,
    elapsedSeconds: 0,
    fallbackUsed: false,
    plannedDuration: null,
    lastError: null,
  };
  /** When the current prediction was created, and its start limit: shown while it waits for its start. */
  private startWindow: { sinceMs: number; limitSeconds: number } | null = null;

  /** The starter sets ClipJobId only on clusters where the clip attributes are registered. */
  private readonly indexed = workflowInfo().typedSearchAttributes.get(CLIP_JOB_ID) !== undefined;

  set(change: Partial<ClipProgress>): void {
    const before = this.state;
    this.state = { ...before, ...change };
    setCurrentDetails(`**${describeProgress(this.snapshot())}**`);
    if (this.indexed) this.upsertSearchAttributes(before);
  }

  /** A webhook's status of the current prediction shows at once, without waiting for the next poll. */
  showWebhook(snapshot: PredictionSnapshot): void {
    const { predictionId, phase } = this.state;
    if (snapshot.id !== predictionId) return;
    const waiting = phase === 'waiting-for-start' || phase === 'waiting-for-prediction';
    this.set({
      predictionStatus: snapshot.status,
      ...(waiting && !isTerminalStatus(snapshot.status) ? { phase: waitingPhaseOf(snapshot.status) } : {}),
    });
  }

  /** A new prediction, created at `sinceMs`, may wait `limitSeconds` to start; `waiting-for-start` shows how long. */
  startWaiting(sinceMs: number, limitSeconds: number): void {
    this.startWindow = { sinceMs, limitSeconds };
  }

  countPoll(): number {
    this.state.polls += 1;
    return this.state.polls;
  }

  snapshot(): ClipProgress {
    const now = Date.now();
    const elapsedSeconds = (now - workflowInfo().runStartTime.getTime()) / 1000;
    const window = this.state.phase === 'waiting-for-start' ? this.startWindow : null;
    return {
      ...this.state,
      elapsedSeconds,
      ...(window ? { starting: { seconds: (now - window.sinceMs) / 1000, limitSeconds: window.limitSeconds } } : {}),
    };
  }

  private upsertSearchAttributes(before: ClipProgress): void {
    const { phase, model } = this.state;
    const updates = [];
    if (phase !== before.phase && INDEXED_PHASES.has(phase)) updates.push({ key: CLIP_PHASE, value: phase });
    if (model && model !== before.model) updates.push({ key: CLIP_MODEL, value: model });
    if (updates.length > 0) upsertSearchAttributes(updates);
  }
}

/** The phase a clip waiting on a prediction in this (non-terminal) status is in. */
export function waitingPhaseOf(status: PredictionStatus): ClipPhase {
  return status === 'starting' ? 'waiting-for-start' : 'waiting-for-prediction';
}
