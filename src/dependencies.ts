import type { ActivityDeps } from './activities';
import type { ClipgenConfig } from './config';
import { openLedger } from './ledger';
import { DEFAULT_DOWNLOAD_POLICY } from './media/download';
import { createReplicateGateway } from './replicate/gateway';
import { createLocalStorage } from './storage/local';

export interface OpenedDeps {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** Builds the activities' real dependencies from configuration. */
export async function openActivityDeps(config: ClipgenConfig): Promise<OpenedDeps> {
  if (config.storage.backend !== 'local') {
    throw new Error(`STORAGE_BACKEND=${config.storage.backend} is not available in this build; use local`);
  }
  const ledger = await openLedger({
    databaseUrl: config.ledger.databaseUrl ?? undefined,
    pgliteDir: config.ledger.pgliteDir,
  });
  const deps: ActivityDeps = {
    replicate: createReplicateGateway({
      apiToken: config.replicate.apiToken ?? undefined,
      baseUrl: config.replicate.baseUrl,
      requestTimeoutMs: config.replicate.requestTimeoutMs,
    }),
    storage: createLocalStorage({ rootDir: config.storage.localDir, bucket: config.storage.bucket }),
    ledger,
    download: {
      ...DEFAULT_DOWNLOAD_POLICY,
      maxBytes: config.download.maxBytes,
      allowPrivateHosts: config.download.allowPrivateHosts,
    },
    probeTimeoutMs: config.probeTimeoutMs,
  };
  return { deps, close: () => ledger.close() };
}
