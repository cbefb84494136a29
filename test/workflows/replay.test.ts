import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle } from '../helpers/workflow-bundle';
import { installQuietRuntime } from '../helpers/quiet-runtime';
import { HISTORIES_DIR } from './harness';

jest.setTimeout(60_000);

/**
 * Histories recorded from real runs must still replay (docs/versioning.md). Re-record them, while the workflow is
 * unreleased, with `UPDATE_HISTORIES=1 npx jest test/workflows/generate-clip.test.ts test/workflows/stray-predictions.test.ts`.
 */
describe('recorded histories replay on the current workflow code', () => {
  // Subfolders hold the histories of released versions (test/histories/v1.0.0/…), which replay forever.
  const files = fs
    .readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort();
  const readHistory = async (file: string) =>
    JSON.parse(await fs.promises.readFile(path.join(HISTORIES_DIR, file), 'utf8'));

  it('has success, fallback and stray-sweep histories of the current code', () => {
    expect(files).toEqual(expect.arrayContaining(['success-svd.json', 'fallback-cogvideox.json', 'stray-swept.json']));
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    installQuietRuntime();
    const history = await readHistory(file);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file.replace(/\.json$/, ''));
  });

  it('fails on a history whose commands differ from what the code does', async () => {
    installQuietRuntime();
    const history = await readHistory('success-svd.json');
    const scheduled = history.events.find(
      (event: { eventType: string }) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
    );
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'releaseBudget';

    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, 'success-svd-altered'),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
