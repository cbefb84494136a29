import { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure } from '../domain/failures';
import type { DownloadPolicy } from './download-policy';
import { assertDownloadAllowed } from './download-target';

/**
 * Applies the download host policy to the URLs in a model's input (the clip's first frame) before a prediction is
 * created: the model fetches them on our behalf, so a private or loopback address is refused as the clip's
 * `clip.imageUrl`, unless the policy allows private hosts (the simulator in tests and the demo). So is a host that
 * does not exist: the model could not fetch it either, and retrying does not make it exist.
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
      if (isNoSuchHost(error)) {
        const host = new URL(value).hostname;
        throw clipFailure(
          FailureType.InvalidInput,
          `clip.imageUrl (model input ${key}): the host ${host} does not exist (DNS answered ENOTFOUND)`,
        );
      }
      // A refusal is about the URL itself; anything else (a DNS hiccup) keeps its own type and is retried.
      if (!(error instanceof ApplicationFailure) || error.type !== FailureType.Generation) throw error;
      throw clipFailure(FailureType.InvalidInput, `clip.imageUrl (model input ${key}): ${error.message}`);
    }
  }
}

/**
 * DNS said the name does not exist (NXDOMAIN, or no address records: getaddrinfo's ENOTFOUND). Not EAI_AGAIN, which
 * is a resolver that could not answer this time.
 */
function isNoSuchHost(error: unknown): boolean {
  // Duck-typed, and by message too: an error from Node's own modules can come from another realm (Jest's), where
  // `instanceof Error` fails and the wrapper that classified it kept only its message.
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === 'ENOTFOUND' || (typeof message === 'string' && /\bgetaddrinfo ENOTFOUND\b/.test(message))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
