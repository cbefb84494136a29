import { ApplicationFailure } from '@temporalio/common';
import { FailureType, clipFailure } from '../domain/failures';
import { describeBytes, describeUrl } from '../http/client';
import { assertDownloadAllowed, openDownload, type DownloadPolicy } from './download';

/** A first frame larger than this is refused before any prediction: 20 MiB. */
export const DEFAULT_FIRST_FRAME_MAX_BYTES = 20 * 1024 ** 2;
/** The create activity has 45 s in all: the image gets a fraction of it, the create request the rest. */
const FIRST_FRAME_TOTAL_TIMEOUT_MS = 10_000;
const FIRST_FRAME_IDLE_TIMEOUT_MS = 5_000;
/** Enough for every magic number checked. */
const HEAD_BYTES = 16;

export interface FirstFrameCheck {
  policy: DownloadPolicy;
  maxBytes: number;
  signal?: AbortSignal;
}

/**
 * Fetches every image URL in a model input (the clip's first frame) as the model would, under the download policy and
 * a size cap, and checks that its bytes are an image (PNG, JPEG, WebP or GIF), so a bad first frame fails before any
 * money is spent: `InvalidInput` naming `clip.imageUrl` and the problem (missing, refused, not an image, too large).
 * An image host that times out or answers 5xx is a `RetryableError`. Run after assertInputUrlsAllowed, which turns a
 * refused or non-existent host into InvalidInput without connecting.
 */
export async function assertFirstFramesUsable(input: Record<string, unknown>, check: FirstFrameCheck): Promise<void> {
  for (const [key, value] of Object.entries(input)) {
    // The models' image inputs (input_image, start_image, first_frame_image): never a prompt that looks like a URL.
    if (!key.endsWith('image') || typeof value !== 'string' || !/^https?:/i.test(value)) continue;
    await assertImageAt(value, key, check);
  }
}

async function assertImageAt(url: string, key: string, { policy, maxBytes, signal }: FirstFrameCheck): Promise<void> {
  const field = `clip.imageUrl (model input ${key})`;
  const where = describeUrl(url);
  const limits: DownloadPolicy = {
    ...policy,
    maxBytes,
    idleTimeoutMs: Math.min(policy.idleTimeoutMs, FIRST_FRAME_IDLE_TIMEOUT_MS),
    totalTimeoutMs: Math.min(policy.totalTimeoutMs, FIRST_FRAME_TOTAL_TIMEOUT_MS),
  };
  let head: Buffer;
  let contentType: string | null;
  try {
    const download = await openDownload(url, limits, signal);
    contentType = download.contentType;
    head = await readHead(download.stream);
  } catch (error) {
    throw firstFrameFailure(error, field, where, maxBytes, signal);
  }
  const format = imageFormatOf(head);
  if (format) return;
  const served = contentType ? `served as ${contentType.split(';')[0].trim()}` : 'served without a Content-Type';
  const what = head.length === 0 ? 'it is empty' : `its bytes are not a PNG, JPEG, WebP or GIF image (${served})`;
  throw clipFailure(FailureType.InvalidInput, `${field}: ${where} is not an image: ${what}`);
}

/** Reads the whole body (so its size is checked against the cap), keeping its first bytes. */
async function readHead(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    if (kept < HEAD_BYTES) {
      chunks.push(chunk);
      kept += chunk.length;
    }
  }
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** The image format its first bytes (magic numbers) declare, or null. */
export function imageFormatOf(head: Buffer): ImageFormat | null {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (['GIF87a', 'GIF89a'].includes(head.toString('latin1', 0, 6))) return 'gif';
  return null;
}

/**
 * What the download layer threw, as the clip's first frame: what no retry can fix (missing, refused, too large, too
 * many redirects) is InvalidInput; a host that is slow or failing for now stays retryable; a cancellation passes.
 */
function firstFrameFailure(
  error: unknown,
  field: string,
  where: string,
  maxBytes: number,
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted || !(error instanceof ApplicationFailure)) return error;
  const status = /\bHTTP (\d{3})\b/.exec(error.message)?.[1];
  if (error.type === FailureType.Retryable) {
    return clipFailure(FailureType.Retryable, `${field}: ${error.message}`, {
      nextRetryDelay: error.nextRetryDelay ?? undefined,
      cause: error,
    });
  }
  if (status === '404' || status === '410') {
    return clipFailure(FailureType.InvalidInput, `${field}: there is no image at ${where} (HTTP ${status})`);
  }
  if (status !== undefined) {
    return clipFailure(FailureType.InvalidInput, `${field}: fetching ${where} was refused with HTTP ${status}`);
  }
  if (/size limit/.test(error.message)) {
    return clipFailure(
      FailureType.InvalidInput,
      `${field}: the image at ${where} is larger than ${describeBytes(maxBytes)}, the most a first frame may be`,
    );
  }
  return clipFailure(FailureType.InvalidInput, `${field}: ${error.message}`);
}

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
