import { Context } from '@temporalio/activity';
import type { ModelId, PredictionSnapshot } from '../domain/types';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../media/download-policy';
import { assertFirstFramesUsable, DEFAULT_FIRST_FRAME_MAX_BYTES } from '../media/first-frame';
import { assertInputUrlsAllowed } from '../media/input-url-policy';
import { markUnsent } from '../replicate/create-outcome';
import type { ReplicateGateway } from '../replicate/gateway';
import { createAttemptJournal } from './create-attempts';
import { predictionWebhookUrl } from '../webhooks/webhook-url';
import type { CreatedPrediction, CreatePredictionInput, WebhookEvent } from './contracts';
import { CLOCK_SKEW_ALLOWANCE_MS, STRAY_WINDOW_REQUEST_TIMEOUTS } from './stray-window';

/** `start` shows the prediction running in the UI; `completed` (succeeded, failed, canceled) ends the wait. */
const WEBHOOK_EVENTS: WebhookEvent[] = ['start', 'completed'];

export interface PredictionRef {
  model: ModelId;
  id: string;
}

/** Where Replicate reaches clipgen's webhook receiver, and how often a workflow still polls in case one is lost. */
export interface WebhookDeps {
  /** The receiver's public origin (and path prefix), e.g. https://hooks.example.com. */
  publicUrl: string;
  fallbackPollIntervalMs: number;
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
