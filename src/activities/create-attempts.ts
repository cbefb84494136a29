import { Context, type Info } from '@temporalio/activity';
import { isSettled } from '../replicate/create-outcome';

interface CreateAttemptDetails {
  /** Earlier attempts after which no prediction of theirs can still appear. */
  settled: number;
}

export interface CreateAttemptJournal {
  /** Earlier attempts of this create that got no answer: each may still turn into a prediction. */
  unansweredAttempts(): number;
  /** Records a failure of this attempt for the next one; returns it, to be thrown. */
  recordFailure<T>(failure: T): T;
}

/**
 * What the attempts of one create activity know about each other, kept in the heartbeat details Temporal hands
 * from one attempt to the next. Only settled failures (answered by the API, or failed before the create was sent)
 * are recorded: an attempt that left no record, because it timed out or its worker died, counts as unanswered.
 */
export function createAttemptJournal(info: Info): CreateAttemptJournal {
  const settled = settledOf(info.heartbeatDetails);
  return {
    unansweredAttempts: () => Math.max(0, info.attempt - 1 - settled),
    recordFailure(failure) {
      // The attempt's only heartbeat, so it is sent at once rather than throttled.
      if (isSettled(failure)) Context.current().heartbeat({ settled: settled + 1 } satisfies CreateAttemptDetails);
      return failure;
    },
  };
}

function settledOf(details: unknown): number {
  const value = (details as Partial<CreateAttemptDetails> | undefined)?.settled;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}
