import type { Duration } from '@temporalio/common';
import { proxyActivities, sleep } from '@temporalio/workflow';

export interface SmokeActivities {
  greet(name: string): Promise<string>;
}

const { greet } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '10 seconds' });

/** Naps for `nap` of workflow time, then greets through an activity. */
export async function napThenGreet(name: string, nap: Duration): Promise<string> {
  await sleep(nap);
  return await greet(name);
}
