import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError } from '../config';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** What it takes to reach a cluster (the configuration's `temporal`: TEMPORAL_ADDRESS, _API_KEY, _TLS_*). */
export interface TemporalConnectionSettings {
  /** Null: localhost:7233. */
  address: string | null;
  apiKey: string | null;
  /** Certificate files beyond an API key's plain TLS; null means none. */
  tls: { certPath: string | null; keyPath: string | null; caPath: string | null; serverName: string | null } | null;
}

/**
 * How to reach the configured cluster, for both client `Connection` and worker `NativeConnection`: plain, API key
 * (Temporal Cloud, implies TLS), mTLS with a client certificate, or TLS with a private CA or server name.
 * Unreadable certificate files are a config error.
 */
export function temporalConnectionOptions(temporal: TemporalConnectionSettings): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: temporal.address ?? DEFAULT_TEMPORAL_ADDRESS };
  if (temporal.apiKey) {
    options.apiKey = temporal.apiKey;
    options.tls = true;
  }
  if (temporal.tls) {
    const { certPath, keyPath, caPath, serverName } = temporal.tls;
    options.tls = {
      ...(certPath && keyPath
        ? {
            clientCertPair: {
              crt: readPem(certPath, 'TEMPORAL_TLS_CERT_PATH'),
              key: readPem(keyPath, 'TEMPORAL_TLS_KEY_PATH'),
            },
          }
        : {}),
      ...(caPath ? { serverRootCACertificate: readPem(caPath, 'TEMPORAL_TLS_CA_PATH') } : {}),
      ...(serverName ? { serverNameOverride: serverName } : {}),
    };
  }
  return options;
}

function readPem(file: string, variable: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError([`${variable}=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`]);
  }
}
