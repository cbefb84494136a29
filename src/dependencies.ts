import type { ActivityDeps } from './activities';
import type { ClipgenConfig } from './config';
import { openLedger } from './ledger';
import { DEFAULT_DOWNLOAD_POLICY } from './media/download';
import { createReplicateGateway } from './replicate/gateway';
import { openStorage } from './storage/open-storage';

export interface OpenedDeps {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** Builds the activities' real dependencies from configuration. */
export async function openActivityDeps(config: ClipgenConfig): Promise<OpenedDeps> {
  const storage = await openStorage(config.storage);
  const ledger = await openLedger({
    databaseUrl: config.ledger.databaseUrl ?? undefined,
    pgliteDir: config.ledger.pgliteDir,
    migrate: config.ledger.migrateOnStart,
  });
  const deps: ActivityDeps = {
    replicate: createReplicateGateway({
      apiToken: config.replicate.apiToken ?? undefined,
      baseUrl: config.replicate.baseUrl,
      requestTimeoutMs: config.replicate.requestTimeoutMs,
    }),
    storage,
    ledger,
    download: {
      ...DEFAULT_DOWNLOAD_POLICY,
      maxBytes: config.download.maxBytes,
      allowPrivateHosts: config.download.allowPrivateHosts,
    },
    probeTimeoutMs: config.probeTimeoutMs,
    spoolDir: config.spoolDir,
    priceOverrides: config.priceOverrides,
    ...(config.webhooks.publicUrl
      ? {
          webhook: {
            publicUrl: config.webhooks.publicUrl,
            fallbackPollIntervalMs: config.webhooks.fallbackPollIntervalMs,
          },
        }
      : {}),
  };
  return { deps, close: () => ledger.close() };
}
