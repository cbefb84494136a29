import type { StoreClipInput, StoreClipResult } from '../../src/activities/contracts';
import { mediaCalls } from '../../src/workflows/activity-proxies';

/** Only the clip workflow's store step (same activity options), for measuring what storing an output costs. */
export async function storeOnlyWorkflow(input: StoreClipInput): Promise<StoreClipResult> {
  return mediaCalls.storeClip.executeWithOptions({ summary: 'store (benchmark)' }, [input]);
}
