import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/workflow-bundle';
import { installQuietRuntime } from '../helpers/quiet-runtime';
import { HISTORIES_DIR } from './harness';

jest.setTimeout(60_000);

/** Histories recorded from real runs (UPDATE_HISTORIES=1 npx jest test/workflow/generate-clip test/workflow/stray-predictions) must still replay. */
describe('recorded histories replay on the current workflow code', () => {
  const files = fs.readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));

  it('has success, fallback and stray-sweep histories of the current code', () => {
    expect(files).toEqual(expect.arrayContaining(['success-svd.json', 'fallback-cogvideox.json', 'stray-swept.json']));
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    installQuietRuntime();
    const history = JSON.parse(await fs.promises.readFile(path.join(HISTORIES_DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, path.basename(file, '.json'));
  });
});
