import { FailureType, clipFailure } from '../domain/failures';
import { createSingleAttemptClient, type ReplicateClientConfig } from './client';
import { redactSecrets } from './redact';

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/**
 * The account's webhook signing secret (`GET /v1/webhooks/default/secret`), for a receiver started without
 * REPLICATE_WEBHOOK_SECRET. One HTTP attempt under the client's timeout; failures are classified and never
 * carry the API token or the secret.
 */
export async function fetchWebhookSecret(config: ReplicateClientConfig, signal?: AbortSignal): Promise<string> {
  const single = createSingleAttemptClient(config);
  const secrets = [single.token, config.apiToken];
  let key: unknown;
  try {
    key = (await single.client.webhooks.default.secret.get({ signal })).key;
  } catch (error) {
    throw secretFailure(single.failure(), error, secrets);
  }
  if (typeof key !== 'string' || !SECRET_SHAPE.test(key)) {
    throw clipFailure(FailureType.Retryable, 'Replicate answered the webhook secret request without a whsec_ key');
  }
  return key;
}

function secretFailure(
  failure: ReturnType<ReturnType<typeof createSingleAttemptClient>['failure']>,
  error: unknown,
  secrets: (string | undefined)[],
) {
  const subject = 'Fetching the webhook signing secret from Replicate failed';
  if (failure?.kind === 'http') {
    const detail = redactSecrets(failure.body.slice(0, 200), secrets);
    const type =
      failure.status === 401 || failure.status === 403
        ? FailureType.Authentication
        : failure.status === 429 || failure.status >= 500
          ? FailureType.Retryable
          : FailureType.InvalidInput;
    return clipFailure(type, `${subject} (HTTP ${failure.status}): ${detail}`);
  }
  const cause = failure?.kind === 'network' ? failure.error : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return clipFailure(FailureType.Retryable, redactSecrets(`${subject}: ${message}`, secrets));
}
