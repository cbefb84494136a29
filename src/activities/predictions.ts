import { Context, type Info } from '@temporalio/activity';
import { withCreateRequestRecord } from '../domain/create-request';
import type { CreatePredictionInput, WebhookEvent, ModelId, PredictionSnapshot } from '../domain/types';
import { predictionWebhookUrl } from '../domain/webhook-url';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../media/download';
import { assertFirstFramesUsable, assertInputUrlsAllowed, DEFAULT_FIRST_FRAME_MAX_BYTES } from '../media/first-frame';
import { isSettled, isUnsent, markUnsent, type ReplicateGateway } from '../replicate/gateway';
import type { CreatedPrediction } from './contracts';
import { CLOCK_SKEW_ALLOWANCE_MS, STRAY_WINDOW_REQUEST_TIMEOUTS } from './stray-predictions';

/**
 * Only `completed` (succeeded, failed, canceled, aborted): it ends the wait. A `start` webhook would cost a signal (a
 * billable action) per clip only to show "running" sooner.
 */
const WEBHOOK_EVENTS: WebhookEvent[] = ['completed'];

export interface PredictionRef {
  model: ModelId;
  id: string;
}

/** Where Replicate reaches clipgen's webhook receiver, and how long a workflow waits before polling in case it is lost. */
export interface WebhookDeps {
  /** The receiver's public origin (and path prefix), e.g. https://hooks.example.com. */
  publicUrl: string;
  /** The longest wait for the webhook before a safety-net poll; null: only at the start limit and the deadline. */
  fallbackPollIntervalMs: number | null;
}

export interface PredictionActivityDeps {
  replicate: ReplicateGateway;
  /** Unset: no webhooks, the workflow polls at its own interval. */
  webhook?: WebhookDeps;
  /**
   * Host policy and limits for URLs in the model input (the first frame), which is fetched and checked to be an image
   * before the create; unset, they are not checked here. Limits not given are the defaults.
   */
  download?: Pick<DownloadPolicy, 'allowPrivateHosts' | 'connectTimeoutMs'> & Partial<DownloadPolicy>;
  /** The largest first frame accepted. Default 20 MiB. */
  firstFrameMaxBytes?: number;
}

/**
 * Replicate calls as activities. Each activity attempt makes one HTTP attempt; Temporal's retry policy
 * is the only retry loop. A `failed` prediction is returned, not thrown: the workflow decides what it means.
 */
export function predictionActivities(deps: PredictionActivityDeps) {
  return {
    async createPrediction(input: CreatePredictionInput): Promise<CreatedPrediction> {
      const { info, cancellationSignal } = Context.current();
      const journal = createAttemptJournal(info);
      if (deps.download) {
        const policy = { ...DEFAULT_DOWNLOAD_POLICY, ...deps.download };
        const maxBytes = deps.firstFrameMaxBytes ?? DEFAULT_FIRST_FRAME_MAX_BYTES;
        await assertInputUrlsAllowed(input.input, policy)
          // Fetched as the model would, before any money is spent; an attempt that may have sent its create had
          // checked it already.
          .then(() =>
            journal.earlierAttemptMayHaveSent()
              ? undefined
              : assertFirstFramesUsable(input.input, { policy, maxBytes, signal: cancellationSignal }),
          )
          .catch((err: unknown) => Promise.reject(journal.recordFailure(markUnsent(err))));
      }
      // Outside a workflow (a standalone activity) there is nobody to signal: poll as without webhooks.
      const workflowId = info.workflowExecution?.workflowId;
      const webhook = workflowId ? deps.webhook : undefined;
      const request = webhook && workflowId ? withWebhook(input, webhook, workflowId) : input;
      // A retry may follow a create whose response was lost: adopt that prediction rather than pay twice.
      // Only predictions made since this activity's first attempt qualify, so a clip never adopts another
      // clip's prediction made earlier with the same input (the server's elapsed time bounds how far back).
      const sinceFirstAttemptMs = info.currentAttemptScheduledTimestampMs - info.scheduledTimestampMs;
      const lookupCreatedSinceMs = Date.now() - sinceFirstAttemptMs - CLOCK_SKEW_ALLOWANCE_MS;
      const snapshot = await deps.replicate
        .createPrediction(request, cancellationSignal, { lookupExisting: info.attempt > 1, lookupCreatedSinceMs })
        .catch((err: unknown) => Promise.reject(journal.recordFailure(err)));
      // An adopted prediction is taken to be the unanswered attempt's; any other unanswered one may still appear.
      const unaccounted = journal.unansweredAttempts() - (snapshot.adopted ? 1 : 0);
      return {
        ...snapshot,
        webhook: webhook ? { fallbackPollIntervalMs: webhook.fallbackPollIntervalMs } : null,
        strayWatch:
          unaccounted > 0
            ? {
                createdAfterMs: lookupCreatedSinceMs,
                untilMs: Date.now() + STRAY_WINDOW_REQUEST_TIMEOUTS * deps.replicate.requestTimeoutMs,
              }
            : null,
      };
    },

    async getPrediction({ model, id }: PredictionRef): Promise<PredictionSnapshot> {
      return deps.replicate.getPrediction(model, id, Context.current().cancellationSignal);
    },

    async cancelPrediction({ model, id }: PredictionRef): Promise<PredictionSnapshot> {
      return deps.replicate.cancelPrediction(model, id, Context.current().cancellationSignal);
    },
  };
}

/** The webhook is added here, not by the workflow, so the receiver's address stays out of workflow history. */
function withWebhook(input: CreatePredictionInput, webhook: WebhookDeps, workflowId: string): CreatePredictionInput {
  const url = predictionWebhookUrl(webhook.publicUrl, { workflowId, model: input.model });
  return { ...input, webhook: { url, events: WEBHOOK_EVENTS } };
}

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
