/**
 * Storage or the database goes away while a clip runs (a worker process on a dev server), then comes back: the clip
 * completes, once, with one stored object and one ledger row.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { SimulatorOptions } from '../../simulator';
import { describePostgres } from '../ledger/backends';
import { expectOneOfEverything, useClipWorld, type Scenario } from './support/clip-world';
import { highestAttempt } from './support/history-evidence';

jest.setTimeout(300_000);

const world = useClipWorld();

/** Resolves once the server reports `activityType` pending at `attempt` or later (so earlier attempts failed). */
async function waitForRetry(handle: WorkflowHandle, activityType: string, attempt = 2, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { raw } = await handle.describe();
    const pending = raw.pendingActivities?.find((activity) => activity.activityType?.name === activityType);
    if ((pending?.attempt ?? 0) >= attempt) return;
    if (Date.now() > deadline) throw new Error(`${activityType} never reached attempt ${attempt}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runScenario(
  name: string,
  simulator: SimulatorOptions,
  body: (scenario: Scenario) => Promise<void>,
): Promise<void> {
  const scenario = await world.scenario(name, simulator);
  try {
    await body(scenario);
  } finally {
    await scenario.close();
  }
}

it('a clip completes once storage, unwritable while it stores, comes back', async () => {
  await runScenario('storage-down', {}, async (scenario) => {
    await scenario.startWorker();
    // As root, permissions would not stop a write: a file where the bucket folder belongs does.
    const bucketDir = path.join(scenario.storageDir, 'video-clips');
    await fs.promises.mkdir(scenario.storageDir, { recursive: true });
    await fs.promises.writeFile(bucketDir, 'storage is down');
    const input = scenario.input();
    const handle = await scenario.startClip(input);

    await waitForRetry(handle, 'fetchProbeStore');
    await fs.promises.rm(bucketDir);
    const clip = await handle.result();

    await Promise.all(scenario.workers.map((worker) => worker.stop()));
    await expectOneOfEverything(scenario, input, clip);
    expect(await highestAttempt(handle, 'fetchProbeStore')).toBeGreaterThanOrEqual(2);
  });
});

// With PGlite the ledger is inside the worker process and cannot be taken down on its own: this one needs PostgreSQL.
describePostgres('with PostgreSQL', () => {
  it('a clip completes once the database, down from the wait to the booking, comes back', async () => {
    // A 10 s prediction: at the default 1 s, a busy machine finished the clip before the observer saw it waiting.
    await runScenario('database-down', { predictSeconds: 10 }, async (scenario) => {
      await scenario.startWorker();
      const input = scenario.input();
      const handle = await scenario.startClip(input);

      await scenario.waitFor(handle, (progress) => progress?.phase === 'waiting-for-prediction', 'waiting');
      await scenario.databaseProxy?.down();
      await waitForRetry(handle, 'recordClipCost');
      await scenario.databaseProxy?.up();
      const clip = await handle.result();

      await Promise.all(scenario.workers.map((worker) => worker.stop()));
      await expectOneOfEverything(scenario, input, clip);
      expect(await highestAttempt(handle, 'recordClipCost')).toBeGreaterThanOrEqual(2);
    });
  });
});
