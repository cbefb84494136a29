/**
 * Two clips of one job whose model input is identical (same first frame, duration and prompt) must never adopt or
 * cancel each other's prediction, whether or not Replicate echoes `webhook` in its answers (its published schema has
 * no such field) and whether or not the creates carry webhooks. Each clip's create loses its response, so each retry
 * has to find its own prediction among the two. On a dev server: the time-skipping server has timed out concurrent
 * short workflows under load (docs/reliability.md, finding 4).
 */
import { randomUUID } from 'node:crypto';
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import type { GenerateClipInput, GenerationSettings } from '../../src/domain/types';
import type { generateClipWorkflow } from '../../src/workflows';
import { ClipHarness } from './harness';

jest.setTimeout(120_000);

async function runTwoIdenticalClips(harness: ClipHarness, settings: GenerationSettings = {}) {
  const jobId = randomUUID();
  const inputOf = (clipIndex: number): GenerateClipInput => ({
    jobId,
    clip: { clipIndex, prompt: 'the same shot of a lighthouse', duration: 3, imageUrl: harness.imageUrl },
    settings,
  });
  const before = harness.simulator.predictions().length;
  const { worker, taskQueue } = await harness.worker();
  const clips = await worker.runUntil(
    Promise.all(
      [0, 1].map((clipIndex) =>
        harness.env.client.workflow.execute<typeof generateClipWorkflow>(
          'generateClipWorkflow',
          clipWorkflowOptions(inputOf(clipIndex), taskQueue),
        ),
      ),
    ),
  );
  const made = harness.simulator.predictions().slice(before);
  const rows = await harness.ledger.listClipCosts(jobId);
  const bookedBy = (clipIndex: number) =>
    rows.filter((row) => row.clipIndex === clipIndex).map((row) => row.predictionId);
  return { clips, made, bookedBy };
}

describe.each([
  ['Replicate does not echo webhook fields (its published schema)', false],
  ['Replicate echoes webhook fields', true],
])('two clips of one job with identical input, when %s', (_mode, echoWebhook) => {
  let harness: ClipHarness;
  beforeAll(async () => {
    harness = await ClipHarness.start('dev', { simulator: { echoWebhook } });
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(() => {
    harness.simulator.faults.clear();
    harness.webhook = undefined;
  });

  it.each([
    ['without webhooks', false],
    ['with webhooks', true],
  ])('each losing its create response, both succeed with their own predictions, %s', async (_case, webhooks) => {
    if (webhooks) await harness.enableWebhooks();
    harness.simulator.faults.add({ kind: 'lose-response', route: 'create', times: 2 });

    const { clips, made, bookedBy } = await runTwoIdenticalClips(harness);

    expect(clips.map((clip) => clip.status)).toEqual(['success', 'success']);
    const [first, second] = clips.map((clip) => clip.predictionId);
    expect(first).not.toBe(second);
    // Each retry adopted its own lost prediction: nothing else was made, nothing was cancelled.
    expect(made.map((prediction) => prediction.id).sort()).toEqual([first, second].sort());
    expect(made.map((prediction) => prediction.status)).toEqual(['succeeded', 'succeeded']);
    expect(bookedBy(0)).toEqual([first]);
    expect(bookedBy(1)).toEqual([second]);
    // Identical clips, different model input: each create's seed is its own.
    expect(made[0].input.seed).not.toBe(made[1].input.seed);
    expect(harness.simulator.stats().running).toBe(0);
  });

  it.each([
    ['without webhooks', false],
    ['with webhooks', true],
  ])(
    'with the same seed set by the user, each clip keeps its own prediction and nothing is cancelled, %s',
    async (_case, webhooks) => {
      if (webhooks) await harness.enableWebhooks();
      harness.simulator.faults.add({ kind: 'lose-response', route: 'create', times: 2 });

      const { clips, made, bookedBy } = await runTwoIdenticalClips(harness, { seed: 7 });

      expect(clips.map((clip) => clip.status)).toEqual(['success', 'success']);
      const [first, second] = clips.map((clip) => clip.predictionId);
      expect(first).not.toBe(second);
      expect(made.every((prediction) => prediction.input.seed === 7)).toBe(true);
      // Only an echoed token tells the two lost predictions apart. Without one, neither retry adopts one and the
      // sweeps cancel neither (`clipgen reconcile` lists them): both ran to the end on their own.
      expect(made).toHaveLength(webhooks && echoWebhook ? 2 : 4);
      expect(made.map((prediction) => prediction.status)).not.toContain('canceled');
      expect(bookedBy(0)).toEqual([first]);
      expect(bookedBy(1)).toEqual([second]);
    },
  );
});
