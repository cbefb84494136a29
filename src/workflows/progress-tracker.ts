import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { describeProgress, type ClipProgress } from '../domain/progress';

/** Holds the clip's progress for the `progress` query and mirrors it into the Web UI's current details. */
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

  update(change: Partial<ClipProgress>): void {
    this.state = { ...this.state, ...change };
    setCurrentDetails(`**${describeProgress(this.snapshot())}**`);
  }

  countPoll(): number {
    this.state.polls += 1;
    return this.state.polls;
  }

  snapshot(): ClipProgress {
    const elapsedSeconds = (Date.now() - workflowInfo().runStartTime.getTime()) / 1000;
    return { ...this.state, elapsedSeconds };
  }
}
