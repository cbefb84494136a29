/**
 * A bad first frame fails the clip before any money is spent: the create activity fetches it under the download
 * policy and checks its bytes, so no prediction is created and nothing is booked.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { useClipHarness } from './harness';

jest.setTimeout(60_000);

const harness = useClipHarness();

const creates = () => harness.simulator.stats().requests['POST /v1/predictions'] ?? 0;

it.each([
  [
    'missing (404)',
    () => `${harness.imageUrl}.gone`,
    /^Primary: clip\.imageUrl \(model input input_image\): there is no image at .+ \(HTTP 404\)$/,
  ],
  [
    'not an image (a JSON page)',
    () => `${harness.simulator.url}/_admin/stats`,
    /^Primary: clip\.imageUrl \(model input input_image\): http:\/\/127\.0\.0\.1:\d+\/_admin\/stats is not an image: .+ \(served as application\/json\)$/,
  ],
])(
  'a first frame that is %s fails InvalidInput naming clip.imageUrl, with no prediction',
  async (_case, url, message) => {
    const before = creates();
    const input = harness.input({ imageUrl: url() });

    const error = await harness.run(input).then(
      () => new Error('the clip succeeded'),
      (err: unknown) => err,
    );

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect([failure.type, failure.message]).toEqual(['InvalidInput', expect.stringMatching(message)]);
    expect(creates()).toBe(before);
    expect(await harness.ledger.listClipCosts(input.jobId)).toEqual([]);
    expect(await harness.ledger.listReservations(input.jobId)).toEqual([]);
  },
);
