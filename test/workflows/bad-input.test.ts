/**
 * Bad input through the workflow, not just the validator: each is refused with InvalidInput naming the field, before
 * any prediction is created. And the SSRF guard on the workflow path: first frames and outputs on private hosts.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { mediaActivities } from '../../src/activities/media';
import { predictionActivities } from '../../src/activities/predictions';
import type { ClipActivities } from '../../src/activities';
import type { GenerateClipInput } from '../../src/domain/types';
import { DEFAULT_DOWNLOAD_POLICY } from '../../src/media/download';
import { createReplicateGateway } from '../../src/replicate/gateway';
import type { generateClipWorkflow } from '../../src/workflows';
import { useClipHarness } from './harness';

jest.setTimeout(120_000);

// A dev server: these clips fail within seconds, and the time-skipping server's clock can outrun a busy worker.
const harness = useClipHarness('dev');

type Change = (input: Record<string, unknown>, clip: Record<string, unknown>) => void;

/** [what, field named in the message, how the valid input is spoiled] */
const BAD_INPUTS: [string, string, Change][] = [
  ['empty prompt', 'clip.prompt', (_, clip) => (clip.prompt = '')],
  ['blank prompt', 'clip.prompt', (_, clip) => (clip.prompt = ' \n\t ')],
  ['huge prompt', 'clip.prompt', (_, clip) => (clip.prompt = 'a'.repeat(2001))],
  ['prompt with a NUL', 'clip.prompt', (_, clip) => (clip.prompt = 'a fox\u0000 in snow')],
  ['prompt with an ANSI escape', 'clip.prompt', (_, clip) => (clip.prompt = 'a fox \u001b[31min red')],
  ['prompt that is not text', 'clip.prompt', (_, clip) => (clip.prompt = { text: 'a fox' })],
  ['negative prompt with a bell', 'clip.negativePrompt', (_, clip) => (clip.negativePrompt = 'blur\u0007')],
  ['duration 0', 'clip.duration', (_, clip) => (clip.duration = 0)],
  ['negative duration', 'clip.duration', (_, clip) => (clip.duration = -4)],
  // JSON has no NaN or Infinity: they reach the workflow as null, which must still be refused.
  ['duration NaN', 'clip.duration', (_, clip) => (clip.duration = NaN)],
  ['duration Infinity', 'clip.duration', (_, clip) => (clip.duration = Infinity)],
  ['huge duration', 'clip.duration', (_, clip) => (clip.duration = 1e9)],
  ['duration as text', 'clip.duration', (_, clip) => (clip.duration = '4')],
  ['duration no model reaches', 'clip.duration', (_, clip) => (clip.duration = 30)],
  ['job id that is not a UUID', 'jobId', (input) => (input.jobId = 'job-42')],
  ['empty job id', 'jobId', (input) => (input.jobId = '')],
  ['job id with SQL in it', 'jobId', (input) => (input.jobId = "'; DROP TABLE jobs; --")],
  ['negative clip index', 'clip.clipIndex', (_, clip) => (clip.clipIndex = -1)],
  ['fractional clip index', 'clip.clipIndex', (_, clip) => (clip.clipIndex = 1.5)],
  ['clip index as text', 'clip.clipIndex', (_, clip) => (clip.clipIndex = '0')],
  ['file: image URL', 'clip.imageUrl', (_, clip) => (clip.imageUrl = 'file:///etc/passwd')],
  ['ftp: image URL', 'clip.imageUrl', (_, clip) => (clip.imageUrl = 'ftp://example.com/frame.png')],
  [
    'image URL with credentials',
    'clip.imageUrl',
    (_, clip) => (clip.imageUrl = 'https://user:secret@example.com/frame.png'),
  ],
  ['relative image URL', 'clip.imageUrl', (_, clip) => (clip.imageUrl = '/frames/1.png')],
  ['unknown primary model', 'models.primary', (input) => (input.models = { primary: 'sora-2' })],
  ['fallback same as primary', 'models.fallback', (input) => (input.models = { primary: 'svd', fallback: 'svd' })],
  ['seed of the wrong type', 'settings.seed', (input) => (input.settings = { seed: 'lucky' })],
  ['fps out of range', 'settings.fps', (input) => (input.settings = { fps: 1000 })],
  ['settings that are not an object', 'settings', (input) => (input.settings = 'fast')],
  ['unknown setting', 'settings.quality', (input) => (input.settings = { quality: 'max' })],
  ['misspelt clip field', 'clip.imageURL', (_, clip) => (clip.imageURL = 'https://example.com/a.png')],
  ['missing clip', 'clip', (input) => delete input.clip],
  ['unexpected top-level field', 'apiToken', (input) => (input.apiToken = 'r8_should_not_be_here')],
  ['poll interval of the wrong type', 'pollInterval', (input) => (input.pollInterval = true)],
];

/** First frames the model would fetch from inside our network: refused when private hosts are not allowed. */
const PRIVATE_IMAGE_URLS = [
  'http://127.0.0.1:9/frame.png',
  'http://localhost:9/frame.png',
  'http://10.0.0.7/frame.png',
  'http://192.168.1.20/frame.png',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]:9/frame.png',
];

function spoiled(change: Change): GenerateClipInput {
  const input = harness.input() as unknown as Record<string, unknown>;
  const clip = { ...(input.clip as Record<string, unknown>) };
  input.clip = clip;
  change(input, clip);
  return input as unknown as GenerateClipInput;
}

/** Runs each clip on one worker; the inputs' own job ids may be invalid, so the workflow ids are made here. */
async function failuresOf(
  inputs: GenerateClipInput[],
  wrap?: (activities: ClipActivities) => Partial<ClipActivities>,
): Promise<ApplicationFailure[]> {
  const { worker, taskQueue } = await harness.worker(wrap);
  return worker.runUntil(
    Promise.all(
      inputs.map(async (input, index) => {
        const error = await harness.env.client.workflow
          .execute<typeof generateClipWorkflow>('generateClipWorkflow', {
            workflowId: `bad-input-${taskQueue}-${index}`,
            taskQueue,
            args: [input],
          })
          .then(
            () => new Error('the workflow succeeded'),
            (err: unknown) => err,
          );
        expect(error).toBeInstanceOf(WorkflowFailedError);
        expect((error as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
        return (error as WorkflowFailedError).cause as ApplicationFailure;
      }),
    ),
  );
}

function createRequests(): number {
  return harness.simulator.stats().requests['POST /v1/predictions'] ?? 0;
}

/** Prediction activities whose first-frame check refuses private hosts, as in production. */
function publicHostsOnly(): Partial<ClipActivities> {
  return predictionActivities({
    replicate: createReplicateGateway({ apiToken: 'test-token', baseUrl: harness.simulator.baseUrl }),
    download: { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: false },
  });
}

it(`refuses ${BAD_INPUTS.length} bad inputs with InvalidInput naming the field, before any prediction`, async () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  const before = createRequests();

  const failures = await failuresOf(BAD_INPUTS.map(([, , change]) => spoiled(change)));

  const seen = failures.map((failure, index) => [BAD_INPUTS[index][0], failure.type, failure.message]);
  for (const [index, [what, field]] of BAD_INPUTS.entries()) {
    expect([what, failures[index].type]).toEqual([what, 'InvalidInput']);
    expect(`${what}: ${failures[index].message}`).toMatch(new RegExp(`^${what}: ${field.replace('.', '\\.')}\\b`));
  }
  expect(seen).toHaveLength(BAD_INPUTS.length);
  expect(createRequests()).toBe(before);
});

it('refuses first frames on private, loopback and link-local hosts before any prediction', async () => {
  const before = createRequests();

  const failures = await failuresOf(
    PRIVATE_IMAGE_URLS.map((imageUrl) => harness.input({ imageUrl })),
    publicHostsOnly,
  );

  for (const [index, failure] of failures.entries()) {
    expect([PRIVATE_IMAGE_URLS[index], failure.type]).toEqual([PRIVATE_IMAGE_URLS[index], 'InvalidInput']);
    expect(failure.message).toMatch(/^Primary: .*clip\.imageUrl .*private hosts are not allowed/);
  }
  expect(createRequests()).toBe(before);
});

it('fails with a clear GenerationError when the output is on a private address and private hosts are refused', async () => {
  const input = harness.input({ duration: 6, imageUrl: undefined }, { pollInterval: '200ms' });
  const strict = { ...DEFAULT_DOWNLOAD_POLICY, allowPrivateHosts: false };
  const before = harness.simulator.predictions().length;

  // The simulator serves outputs on localhost (127.0.0.1); this worker's download refuses private hosts.
  const error = await harness
    .run(input, () => mediaActivities({ ...harness.deps, download: strict }))
    .then(
      () => new Error('the workflow succeeded'),
      (err: unknown) => err,
    );

  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('GenerationError');
  expect(cause.message).toMatch(/^Output: Refusing to download .*localhost is a loopback address \(127\.0\.0\.1\)/);
  expect(
    harness.simulator
      .predictions()
      .slice(before)
      .map((prediction) => prediction.status),
  ).toEqual(['succeeded']);
  // Replicate billed the prediction, so it is booked although its output was refused.
  const rows = await harness.ledger.listClipCosts(input.jobId);
  expect(rows).toEqual([expect.objectContaining({ predictionStatus: 'succeeded' })]);
  expect((await harness.ledger.getJob(input.jobId))?.totalCost).toBe(rows[0].amountUsd);
});
