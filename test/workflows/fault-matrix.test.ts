/**
 * Every fault the simulator can inject, through the whole workflow: the documented outcome (README "Failures") and
 * how many predictions each costs. Image clips of 4.5 s: SVD first, CogVideoX as fallback.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Clip } from '../../src/domain/types';
import type { Fault } from '../../simulator/faults';
import type { ClipActivities } from '../../src/activities';
import { useClipHarness } from './harness';
import { impatientReplicate } from './impatient-replicate';

jest.setTimeout(120_000);

const SVD = 'stability-ai/stable-video-diffusion';
const COGVIDEOX = 'cuuupid/cogvideox-5b';

type Outcome =
  | { succeeds: 'primary' | 'fallback'; retryCount?: number }
  | { failsWith: string; messageContains?: string };

interface FaultCase {
  name: string;
  faults: Fault[];
  expected: Outcome;
  /** Predictions created per model ('owner/name'). */
  created: Record<string, number>;
  /** Predictions left 'canceled' by the workflow itself. */
  canceled?: number;
  webhooks?: boolean;
  wrap?: (activities: ClipActivities) => Partial<ClipActivities>;
}

const harness = useClipHarness();

const E005 = 'The input or output was flagged as sensitive. (E005)';
const CASES: FaultCase[] = [
  {
    name: '429 with Retry-After on create',
    faults: [{ kind: 'http-error', status: 429, retryAfter: 2 }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
  },
  {
    name: '429 without Retry-After on create',
    faults: [{ kind: 'http-error', status: 429 }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
  },
  ...[500, 502, 503].map((status) => ({
    name: `${status} on create`,
    faults: [{ kind: 'http-error', status } as Fault],
    expected: { succeeds: 'primary' } as Outcome,
    created: { [SVD]: 1 },
  })),
  {
    name: '500, 502 and 503 on polls',
    faults: [500, 502, 503].map((status) => ({ kind: 'http-error', status, route: 'get' }) as Fault),
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
  },
  {
    name: 'dropped connection on create (nothing created)',
    faults: [{ kind: 'reset' }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
  },
  {
    name: 'dropped connection after the create was made (response lost)',
    faults: [{ kind: 'lose-response' }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
  },
  {
    name: 'poll answered after the request timeout (slow response)',
    faults: [{ kind: 'delay', ms: 2500, route: 'get', times: 2 }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
    wrap: () => impatientReplicate(harness),
  },
  {
    // Not retried, and not the fallback's turn: the prediction is gone, and so is what it made.
    name: '404 on a poll (the prediction no longer exists)',
    faults: [{ kind: 'http-error', status: 404, route: 'get', times: 'always' }],
    expected: { failsWith: 'GenerationError', messageContains: 'no longer exists on Replicate (HTTP 404)' },
    created: { [SVD]: 1 },
  },
  {
    name: 'prediction interrupted (code: PA)',
    faults: [{ kind: 'prediction-failed', model: 'svd', error: 'Prediction interrupted; please retry (code: PA)' }],
    expected: { succeeds: 'primary', retryCount: 1 },
    created: { [SVD]: 2 },
  },
  {
    name: 'prediction flagged by the content filter (E005)',
    faults: [{ kind: 'prediction-failed', model: 'svd', error: E005 }],
    expected: { failsWith: 'GenerationError', messageContains: 'E005' },
    created: { [SVD]: 1 },
  },
  {
    name: 'prediction failed with a model error',
    faults: [{ kind: 'prediction-failed', model: 'svd', error: 'CUDA out of memory' }],
    expected: { failsWith: 'GenerationError', messageContains: 'CUDA out of memory' },
    created: { [SVD]: 1 },
  },
  {
    name: 'primary model unavailable',
    faults: [{ kind: 'model-unavailable', model: 'svd', times: 'always' }],
    expected: { succeeds: 'fallback' },
    created: { [COGVIDEOX]: 1 },
  },
  {
    name: 'primary and fallback models unavailable',
    faults: [
      { kind: 'model-unavailable', model: 'svd', times: 'always' },
      { kind: 'model-unavailable', model: 'cogvideox', times: 'always' },
    ],
    expected: { failsWith: 'ModelUnavailable' },
    created: {},
  },
  {
    name: 'prediction that never finishes',
    faults: [{ kind: 'never-finish', model: 'svd' }],
    expected: { failsWith: 'Timeout' },
    created: { [SVD]: 1 },
    canceled: 1,
  },
  {
    name: 'output answers 404',
    faults: [{ kind: 'output-404', times: 'always' }],
    expected: { failsWith: 'GenerationError' },
    created: { [SVD]: 1 },
  },
  {
    name: 'output truncated once',
    faults: [{ kind: 'output-truncated' }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
  },
  {
    name: 'output truncated every time',
    faults: [{ kind: 'output-truncated', times: 'always' }],
    expected: { failsWith: 'RetryableError' },
    created: { [SVD]: 1 },
  },
  {
    name: 'output is not a video',
    faults: [{ kind: 'output-not-video', times: 'always' }],
    expected: { failsWith: 'GenerationError' },
    created: { [SVD]: 1 },
  },
  {
    name: '401 on create',
    faults: [{ kind: 'http-error', status: 401, times: 'always' }],
    expected: { failsWith: 'AuthenticationError' },
    created: {},
  },
  {
    name: '402 on create',
    faults: [{ kind: 'http-error', status: 402, times: 'always' }],
    expected: { failsWith: 'BillingError' },
    created: {},
  },
  {
    name: 'webhook deliveries failing twice (retried by the sender)',
    faults: [{ kind: 'webhook-fail', times: 2 }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
    webhooks: true,
  },
  {
    name: 'every webhook delivery failing (the workflow falls back to polling)',
    faults: [{ kind: 'webhook-fail', times: 'always' }],
    expected: { succeeds: 'primary' },
    created: { [SVD]: 1 },
    webhooks: true,
  },
];

it.each(CASES.map((faultCase) => [faultCase.name, faultCase] as const))('%s', async (_name, faultCase) => {
  harness.simulator.faults.add(faultCase.faults);
  if (faultCase.webhooks) await harness.enableWebhooks();
  const before = harness.simulator.predictions().length;

  const outcome = await harness.run(harness.input({ duration: 4.5 }), faultCase.wrap).then(
    (clip) => ({ clip }),
    (error: unknown) => ({ error }),
  );

  const made = harness.simulator.predictions().slice(before);
  const created: Record<string, number> = {};
  for (const prediction of made) created[prediction.model] = (created[prediction.model] ?? 0) + 1;
  expect(created).toEqual(faultCase.created);
  expect(made.filter((prediction) => prediction.status === 'canceled')).toHaveLength(faultCase.canceled ?? 0);
  // A clip may stop watching a prediction without cancelling it (a 404 hides it, it does not stop it): the simulator's
  // ends once its output is rendered, within seconds on a loaded machine too, so only one that would run on is left.
  expect(await harness.stillRunningSince(before, 10_000)).toEqual([]);

  const { expected } = faultCase;
  if ('succeeds' in expected) {
    expect('error' in outcome ? outcome.error : null).toBeNull();
    const clip = (outcome as { clip: Clip }).clip;
    expect(clip).toMatchObject({
      status: 'success',
      fallbackUsed: expected.succeeds === 'fallback',
      model: expected.succeeds === 'fallback' ? 'cogvideox' : 'svd',
      retryCount: expected.retryCount ?? 0,
    });
  } else {
    const error = 'error' in outcome ? outcome.error : null;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(expected.failsWith);
    if (expected.messageContains) expect(cause?.message).toContain(expected.messageContains);
  }
});
