/**
 * Transient platform failures are retried, model failures are not (issue 14, point 2). Replicate's
 * `Director: unexpected error handling prediction (E8765)` family is the platform's, like `(code: PA)`: the
 * prediction is created again (at most twice), then the fallback model is tried. E005 and model errors are final.
 */
import { addUsd } from '../../src/domain/money';
import { useClipHarness } from './harness';
import { workflowFailureOf } from '../helpers/failures';

jest.setTimeout(120_000);

const harness = useClipHarness();

const SVD = 'stability-ai/stable-video-diffusion';
const COGVIDEOX = 'cuuupid/cogvideox-5b';

const director = (code: string) => `Director: unexpected error handling prediction (${code})`;

describe('a prediction failed by the platform (Director … E8765 and its family)', () => {
  it.each(['E8765', 'E6716', 'E9828', 'E9243'])('is created again after %s, and the clip succeeds', async (code) => {
    harness.simulator.faults.add({ kind: 'prediction-failed', model: 'svd', error: director(code) });
    const before = harness.created(SVD);
    const input = harness.input();

    const clip = await harness.run(input);

    expect(clip).toMatchObject({ status: 'success', model: 'svd', retryCount: 1, fallbackUsed: false });
    expect(harness.created(SVD) - before).toBe(2);
    const rows = await harness.ledger.listClipCosts(input.jobId);
    expect(rows.map((row) => row.predictionStatus).sort()).toEqual(['failed', 'succeeded']);
    expect(clip.bookings.totalUsd).toBe(rows.map((row) => row.amountUsd).reduce(addUsd));
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  });

  it('moves to the fallback model once the re-creates run out', async () => {
    harness.simulator.faults.add({ kind: 'prediction-failed', model: 'svd', error: director('E8765'), times: 3 });
    const svdBefore = harness.created(SVD);
    const cogBefore = harness.created(COGVIDEOX);
    const input = harness.input({ duration: 4.5 });

    const clip = await harness.run(input);

    expect(clip).toMatchObject({ status: 'success', model: 'cogvideox', fallbackUsed: true, retryCount: 2 });
    expect(harness.created(SVD) - svdBefore).toBe(3);
    expect(harness.created(COGVIDEOX) - cogBefore).toBe(1);
    // Every prediction that ran is booked, the three failed ones included.
    const rows = await harness.ledger.listClipCosts(input.jobId);
    expect(rows.map((row) => row.predictionStatus).sort()).toEqual(['failed', 'failed', 'failed', 'succeeded']);
    expect(clip.bookings.predictions).toHaveLength(4);
    expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(clip.bookings.totalUsd);
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  });

  it('fails with GenerationError once the re-creates run out and there is no fallback', async () => {
    harness.simulator.faults.add({ kind: 'prediction-failed', model: 'svd', error: director('E9243'), times: 3 });
    const before = harness.created(SVD);
    const input = harness.input({}, { models: { primary: 'svd', fallback: null } });

    const failure = await workflowFailureOf(harness.run(input));

    expect(failure.type).toBe('GenerationError');
    expect(failure.message).toContain('E9243');
    expect(harness.created(SVD) - before).toBe(3);
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  });

  it('E005 (flagged as sensitive) still fails at once, with no re-create and no fallback', async () => {
    harness.simulator.faults.add({
      kind: 'prediction-failed',
      model: 'svd',
      error: 'The input or output was flagged as sensitive. (E005)',
    });
    const svdBefore = harness.created(SVD);
    const cogBefore = harness.created(COGVIDEOX);

    const failure = await workflowFailureOf(harness.run(harness.input({ duration: 4.5 })));

    expect(failure.type).toBe('GenerationError');
    expect(failure.message).toContain('E005');
    expect(harness.created(SVD) - svdBefore).toBe(1);
    expect(harness.created(COGVIDEOX) - cogBefore).toBe(0);
  });
});

it('a poll answered 422 with the Director text is retried, not taken for invalid input', async () => {
  harness.simulator.faults.add({
    kind: 'http-error',
    status: 422,
    route: 'get',
    times: 2,
    body: { detail: director('E8765'), status: 422 },
  });
  const before = harness.created(SVD);

  const clip = await harness.run(harness.input());

  expect(clip).toMatchObject({ status: 'success', model: 'svd', retryCount: 0 });
  expect(harness.created(SVD) - before).toBe(1);
});

it('a re-create whose create is retried makes its own prediction, never adopting the interrupted one it replaces', async () => {
  // The interrupted prediction's create is answered; the re-create's first attempt is refused (429), so its retry
  // looks for a prediction an earlier attempt of the same create made. The interrupted one is not that.
  harness.simulator.faults.add({
    kind: 'prediction-failed',
    model: 'svd',
    error: 'Prediction interrupted; please retry (code: PA)',
  });
  const before = harness.simulator.predictions().length;
  const input = harness.input();
  let creates = 0;

  const clip = await harness.run(input, (activities) => ({
    async createPrediction(create) {
      const made = await activities.createPrediction(create);
      if (++creates === 1) harness.simulator.faults.add({ kind: 'http-error', status: 429, retryAfter: 1 });
      return made;
    },
  }));

  const made = harness.simulator.predictions().slice(before);
  expect(made.map((prediction) => prediction.status)).toEqual(['failed', 'succeeded']);
  expect(clip).toMatchObject({ status: 'success', model: 'svd', retryCount: 1, predictionId: made[1].id });
  const rows = await harness.ledger.listClipCosts(input.jobId);
  expect(rows.map((row) => [row.predictionId, row.predictionStatus])).toEqual([
    [made[0].id, 'failed'],
    [made[1].id, 'succeeded'],
  ]);
});
