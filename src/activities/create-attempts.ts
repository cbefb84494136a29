import { Context, type Info } from '@temporalio/activity';
import { isSettled, isUnsent } from '../replicate/create-outcome';
import { withCreateRequestRecord } from '../domain/create-request';

interface CreateAttemptDetails {
  /** Earlier attempts after which no prediction of theirs can still appear. */
  settled: number;
  /** Of those, the attempts that failed before sending their create request. Absent from older workers' details. */
  unsent?: number;
}

export interface CreateAttemptJournal {
  /** Earlier attempts of this create that got no answer: each may still turn into a prediction. */
  unansweredAttempts(): number;
  /** Whether an earlier attempt may have sent its create request (then it had passed the checks before it). */
  earlierAttemptMayHaveSent(): boolean;
  /**
   * Records a failure of this attempt for the next one; returns it, to be thrown, carrying whether any attempt of
   * this create sent its request (a CreateRequestRecord in its details, see create-failure.ts).
   */
  recordFailure(failure: unknown): unknown;
}

/**
 * What the attempts of one create activity know about each other, kept in the heartbeat details Temporal hands
 * from one attempt to the next. Only settled failures (answered by the API, or failed before the create was sent)
 * are recorded: an attempt that left no record, because it timed out or its worker died, counts as unanswered,
 * and as sent.
 */
export function createAttemptJournal(info: Info): CreateAttemptJournal {
  const { settled, unsent } = detailsOf(info.heartbeatDetails);
  const earlierAttempts = info.attempt - 1;
  return {
    unansweredAttempts: () => Math.max(0, earlierAttempts - settled),
    earlierAttemptMayHaveSent: () => earlierAttempts > unsent,
    recordFailure(failure) {
      const sent = !isUnsent(failure);
      if (isSettled(failure)) {
        // The attempt's only heartbeat, so it is sent at once rather than throttled.
        const details: CreateAttemptDetails = { settled: settled + 1, unsent: unsent + (sent ? 0 : 1) };
        Context.current().heartbeat(details);
      }
      return withCreateRequestRecord(failure, sent || earlierAttempts > unsent);
    },
  };
}

function detailsOf(details: unknown): Required<CreateAttemptDetails> {
  const { settled, unsent } = (details ?? {}) as Partial<Record<keyof CreateAttemptDetails, unknown>>;
  const count = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0);
  return { settled: count(settled), unsent: Math.min(count(unsent), count(settled)) };
}
