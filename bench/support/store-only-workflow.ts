import type { FetchProbeStoreInput, StoredClip } from '../../src/activities/contracts';
import * as outputCalls from '../../src/workflows/activity-proxies';

/** Only the clip workflow's output step (same activity options): fetch, probe and store one output, for measuring. */
export async function storeOnlyWorkflow(input: FetchProbeStoreInput): Promise<StoredClip> {
  return outputCalls.fetchProbeStore.executeWithOptions({ summary: 'fetch, probe and store (benchmark)' }, [input]);
}
