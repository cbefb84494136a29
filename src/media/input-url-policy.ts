import { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure } from '../domain/failures';
import type { DownloadPolicy } from './download-policy';
import { assertDownloadAllowed } from './download-target';

/**
 * Applies the download host policy to the URLs in a model's input (the clip's first frame) before a prediction is
 * created: the model fetches them on our behalf, so a private or loopback address is refused as the clip's
 * `clip.imageUrl`, unless the policy allows private hosts (the simulator in tests and the demo).
 */
export async function assertInputUrlsAllowed(
  input: Record<string, unknown>,
  policy: Pick<DownloadPolicy, 'allowPrivateHosts' | 'connectTimeoutMs'>,
): Promise<void> {
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(value)) continue;
    try {
      await assertDownloadAllowed(value, policy);
    } catch (error) {
      // A refusal is about the URL itself; anything else (a DNS hiccup) keeps its own type and is retried.
      if (!(error instanceof ApplicationFailure) || error.type !== FailureType.Generation) throw error;
      throw clipFailure(FailureType.InvalidInput, `clip.imageUrl (model input ${key}): ${error.message}`);
    }
  }
}
