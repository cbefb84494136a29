import { predictionActivities } from '../../src/activities/predictions';
import { strayPredictionActivities } from '../../src/activities/stray-predictions';
import type { ClipActivities } from '../../src/activities';
import { createReplicateGateway } from '../../src/replicate/gateway';
import type { ClipHarness } from './harness';

export const IMPATIENT_REQUEST_TIMEOUT_MS = 1000;

/** Replicate activities whose HTTP requests time out after 1 s: a slow answer is then a lost one. */
export function impatientReplicate(harness: ClipHarness): Partial<ClipActivities> {
  const replicate = createReplicateGateway({
    apiToken: 'test-token',
    baseUrl: harness.simulator.baseUrl,
    requestTimeoutMs: IMPATIENT_REQUEST_TIMEOUT_MS,
  });
  const { webhook } = harness.deps;
  return { ...predictionActivities({ replicate, webhook }), ...strayPredictionActivities({ replicate }) };
}
