/**
 * Cold boots do not become wasted Timeouts (issue 14, point 3). A prediction may stay `starting` (queued, or its
 * worker booting: not billed) for the model's start limit; the clip's deadline bounds only its running. One that
 * cannot start in time, or that Replicate aborts before it starts, moves to the fallback model.
 *
 * On the time-skipping server, with the simulator on the server's clock (ServerClock): a 180 s boot takes the
 * workflow 60 skipped polls, a second or two of real time.
 */
import { clipWorkflowOptions } from '../../src/domain/clip-workflow-options';
import { getModelSpec } from '../../src/domain/catalogue';
import { describeProgress, type ClipProgress } from '../../src/domain/progress';
import type { generateClipWorkflow } from '../../src/workflows';
import { progressQuery } from '../../src/workflows/signals';
import { workflowFailureOf } from '../helpers/failures';
import { useClipHarness } from './harness';
import { ServerClock } from './server-clock';

jest.setTimeout(180_000);

const clock = new ServerClock();
const harness = useClipHarness('time-skipping', { simulator: { now: clock.now } });

const SVD = 'stability-ai/stable-video-diffusion';
const COGVIDEOX = 'cuuupid/cogvideox-5b';
/** Longer than any test here runs: a worker that never comes up. */
const NEVER = 100_000;

function madeSince(before: number) {
  return harness.simulator.predictions().slice(before);
}

const secondsBetween = (from: string | null, to: string | null) =>
  (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;

it('a prediction that boots for 180 s, past the 120 s deadline, then runs, makes the clip (no Timeout)', async () => {
  harness.simulator.faults.add({ kind: 'cold-boot', seconds: 180, model: 'svd' });
  const before = harness.simulator.predictions().length;
  const input = harness.input();
  const { worker, taskQueue } = await harness.worker(clock.follow(harness));

  const { clip, phases } = await worker.runUntil(async () => {
    const handle = await harness.env.client.workflow.start<typeof generateClipWorkflow>(
      'generateClipWorkflow',
      clipWorkflowOptions(input, taskQueue),
    );
    const seen: ClipProgress[] = [];
    let done = false;
    const watching = (async () => {
      while (!done) {
        seen.push(await handle.query(progressQuery));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const result = await handle.result().finally(() => (done = true));
    await watching;
    return { clip: result, phases: seen };
  });

  expect(clip).toMatchObject({ status: 'success', model: 'svd', fallbackUsed: false, retryCount: 0 });
  const [prediction] = madeSince(before);
  expect(prediction.status).toBe('succeeded');
  expect(secondsBetween(prediction.created_at, prediction.started_at)).toBeGreaterThanOrEqual(180);
  // Cancel-After agrees with both limits: the start limit, then the deadline, then a margin, from the create.
  const svd = getModelSpec('svd');
  expect(secondsBetween(prediction.created_at, prediction.deadline ?? null)).toBe(
    svd.startLimitSeconds + svd.deadlineSeconds + 30,
  );
  // Only the run is billed, not the boot.
  const [row] = await harness.ledger.listClipCosts(input.jobId);
  expect(row.predictTimeSeconds).toBe(prediction.metrics?.predict_time);
  expect(row.predictTimeSeconds).toBeLessThan(5);
  // The progress query (and the Web UI's details) showed the clip waiting for its start while the worker booted.
  const booting = phases.filter((progress) => progress.phase === 'waiting-for-start');
  expect(booting.length).toBeGreaterThan(0);
  expect(booting.at(-1)).toMatchObject({ predictionStatus: 'starting' });
  expect(booting.at(-1)?.starting?.seconds).toBeGreaterThan(5);
  expect(booting.at(-1)?.starting?.limitSeconds).toBe(getModelSpec('svd').startLimitSeconds);
  expect(describeProgress(booting.at(-1) as ClipProgress)).toMatch(
    /^waiting-for-start · svd · starting · booting a worker for \d+ s of 600 s \(not billed\)/,
  );
});

it('a prediction that never starts is cancelled at the start limit, unbilled, and the fallback makes the clip', async () => {
  harness.simulator.faults.add({ kind: 'cold-boot', seconds: NEVER, model: 'svd' });
  const before = harness.simulator.predictions().length;
  const cogBefore = harness.created(COGVIDEOX);
  const input = harness.input({ duration: 4.5 });

  const clip = await harness.run(input, clock.follow(harness));

  expect(clip).toMatchObject({ status: 'success', model: 'cogvideox', fallbackUsed: true });
  expect(harness.created(COGVIDEOX) - cogBefore).toBe(1);
  const stuck = madeSince(before).find((prediction) => prediction.model === SVD);
  expect(stuck).toMatchObject({ status: 'canceled', started_at: null });
  expect(secondsBetween(stuck?.created_at ?? null, stuck?.completed_at ?? null)).toBeGreaterThanOrEqual(
    getModelSpec('svd').startLimitSeconds,
  );
  // The boot was not billed: only the fallback's prediction is booked.
  const rows = await harness.ledger.listClipCosts(input.jobId);
  expect(rows.map((row) => row.predictionId)).toEqual([clip.predictionId]);
  expect(harness.simulator.stats().running).toBe(0);
  expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
});

it('without a fallback, a prediction that does not start within the clip’s startLimit fails the clip with Timeout', async () => {
  harness.simulator.faults.add({ kind: 'cold-boot', seconds: NEVER, model: 'svd' });
  const before = harness.simulator.predictions().length;
  const input = harness.input({}, { models: { primary: 'svd', fallback: null }, startLimit: '30s' });

  const failure = await workflowFailureOf(harness.run(input, clock.follow(harness)));

  expect(failure.type).toBe('Timeout');
  expect(failure.message).toMatch(/did not start within 30 s/);
  const [stuck] = madeSince(before);
  expect(stuck).toMatchObject({ status: 'canceled', started_at: null });
  expect(secondsBetween(stuck.created_at, stuck.completed_at)).toBeLessThan(60);
  expect(secondsBetween(stuck.created_at, stuck.deadline ?? null)).toBe(30 + getModelSpec('svd').deadlineSeconds + 30);
  expect(harness.simulator.stats().running).toBe(0);
  expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
});

it('a prediction Replicate aborts before it starts (its Cancel-After passed) moves to the fallback', async () => {
  // As if this worker had been gone past the start limit: Replicate's own deadline ends the boot first.
  harness.simulator.faults.add({ kind: 'cold-boot', seconds: NEVER, model: 'svd' });
  const before = harness.simulator.predictions().length;
  const input = harness.input({ duration: 4.5 });
  const follow = clock.follow(harness);

  const clip = await harness.run(input, (activities) =>
    follow({
      ...activities,
      createPrediction: (create) =>
        activities.createPrediction(create.model === 'svd' ? { ...create, cancelAfterSeconds: 10 } : create),
    }),
  );

  expect(clip).toMatchObject({ status: 'success', model: 'cogvideox', fallbackUsed: true });
  const aborted = madeSince(before).find((prediction) => prediction.model === SVD);
  expect(aborted).toMatchObject({ status: 'aborted', started_at: null });
  const rows = await harness.ledger.listClipCosts(input.jobId);
  expect(rows.map((row) => row.predictionId)).toEqual([clip.predictionId]);
  expect(harness.created(SVD)).toBeGreaterThan(0);
});
