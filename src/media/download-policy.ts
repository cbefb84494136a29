/** Limits every download of a model output obeys (fetchProbeStore's one transfer of each output). */
export interface DownloadPolicy {
  /** Largest body accepted, counted from the first byte of the resource (resumed bytes included). */
  maxBytes: number;
  /** Name resolution plus TCP (and TLS) handshake. */
  connectTimeoutMs: number;
  /** Longest silence from the server while we are waiting for headers or for body bytes. */
  idleTimeoutMs: number;
  /** Whole transfer, from the first request to the last byte. */
  totalTimeoutMs: number;
  maxRedirects: number;
  /** Lets downloads reach loopback and private networks: the local simulator in tests and the demo. */
  allowPrivateHosts: boolean;
}

export const DEFAULT_DOWNLOAD_POLICY: Readonly<DownloadPolicy> = Object.freeze({
  maxBytes: 2 * 1024 ** 3,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 30 * 60_000,
  maxRedirects: 3,
  allowPrivateHosts: false,
});

export function describeBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value} ${units[unit]} (${bytes} bytes)`;
}
