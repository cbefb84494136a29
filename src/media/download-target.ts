import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { clipFailure, FailureType } from '../domain/failures';
import { nonPublicAddressKind } from './address-ranges';
import { describeUrl, networkFailure } from './download-failures';
import type { DownloadPolicy } from './download-policy';

/** A URL whose host has been resolved and checked; connections go to exactly these addresses. */
export interface CheckedTarget {
  url: URL;
  addresses: LookupAddress[];
}

/**
 * Refuses anything but http(s) URLs whose every address is public (unless the policy allows private hosts),
 * and returns the checked addresses so the caller connects to them instead of resolving the name again
 * (a second lookup could answer differently: DNS rebinding).
 *
 * A refused URL is a GenerationError: the URLs we download are model outputs, so a bad one means the
 * generation produced something unusable. Callers downloading user-provided URLs rethrow as InvalidInput.
 */
export async function assertDownloadAllowed(
  url: string | URL,
  policy: Pick<DownloadPolicy, 'allowPrivateHosts' | 'connectTimeoutMs'>,
): Promise<CheckedTarget> {
  const parsed = parseDownloadUrl(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : await resolveAll(host, parsed, policy.connectTimeoutMs);
  if (!policy.allowPrivateHosts) {
    for (const { address } of addresses) {
      const kind = nonPublicAddressKind(address);
      if (kind !== null) {
        throw clipFailure(
          FailureType.Generation,
          `Refusing to download ${describeUrl(parsed)}: ${host} is a ${kind} address (${address}), and private hosts are not allowed`,
        );
      }
    }
  }
  return { url: parsed, addresses };
}

function parseDownloadUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw clipFailure(
      FailureType.Generation,
      `Cannot download ${JSON.stringify(String(url).slice(0, 200))}: not a URL`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw clipFailure(
      FailureType.Generation,
      `Refusing to download ${describeUrl(parsed)}: only http and https URLs are allowed, not ${parsed.protocol}`,
    );
  }
  return parsed;
}

function resolveAll(host: string, url: URL, timeoutMs: number): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(clipFailure(FailureType.Retryable, `Resolving ${host} for ${describeUrl(url)} took over ${timeoutMs} ms`));
    }, timeoutMs);
    lookup(host, { all: true, verbatim: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) reject(networkFailure(error, url, 'Resolving the host of'));
      else if (addresses.length === 0) reject(clipFailure(FailureType.Retryable, `${host} has no addresses`));
      else resolve(addresses);
    });
  });
}
