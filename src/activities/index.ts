import type { ModelId } from '../domain/types';
import type { CostLedger } from '../ledger/types';
import type { DownloadPolicy } from '../media/download';
import type { ReplicateGateway } from '../replicate/gateway';
import type { StorageClient } from '../storage/types';
import { costActivities } from './costs';
import { mediaActivities } from './media';
import { predictionActivities, type WebhookDeps } from './predictions';
import { strayPredictionActivities } from './stray-predictions';

export interface ActivityDeps {
  replicate: ReplicateGateway;
  storage: StorageClient;
  ledger: CostLedger;
  download: DownloadPolicy;
  probeTimeoutMs?: number;
  /** Where fetchProbeStore spools outputs on this worker's disk (SPOOL_DIR); default `<os tmpdir>/clipgen-spool`. */
  spoolDir?: string;
  priceOverrides?: Partial<Record<ModelId, string>>;
  /** Set when Replicate can reach a webhook receiver: creates then carry its URL and workflows poll rarely. */
  webhook?: WebhookDeps;
}

/** Every activity of generateClipWorkflow, bound to its dependencies (so tests can inject real local ones). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...predictionActivities(deps),
    ...strayPredictionActivities(deps),
    ...mediaActivities(deps),
    ...costActivities(deps),
  };
}

export type ClipActivities = ReturnType<typeof createActivities>;
